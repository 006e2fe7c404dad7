import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import { type DeckResult } from '../../src/pipeline/types.js'
import { sortDiagnostics, type Diagnostic } from '../../src/util/diagnostics.js'
import { installLint, overflowingSlides } from '../../src/lint/index.js'
import type { LintJson } from '../../src/lint/report.js'
import { buildOptions, FIXTURES, ROOT, SEED } from '../helpers/project.js'

// Lint in a real Chromium: the print page the PDF is made from, measured. One builder (one
// browser) for the in-process tests; the CLI tests spawn `deck lint` as a user or CI would.
const LINT = path.join(FIXTURES, 'lint')
const CLI = path.join(ROOT, 'bin/deck.js')

let out: string
let builder: Builder
beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'deck-lint-out-'))
  builder = new Builder(buildOptions(ROOT, { outDir: out, formats: ['pdf'] }))
  await builder.init()
  await installLint(builder)
})
afterAll(async () => {
  await builder?.close()
  await rm(out, { recursive: true, force: true })
})

const inspect = async (name: string): Promise<DeckResult> => {
  const r = await builder.inspectDeck(name.startsWith('/') ? name : path.join(LINT, name))
  expect(r.errors).toEqual([])
  return r
}
const brief = (list: Diagnostic[]) =>
  sortDiagnostics(list).map((d) => ({ rule: d.rule, slide: d.slide, line: d.line, ...(d.px !== undefined ? { px: d.px } : {}) }))

describe('browser rules, one problem per fixture', () => {
  it('overflow: the code block of slide 2 runs exactly 80px past the bottom, at its fence line', async () => {
    const r = await inspect('overflow.md')
    expect(brief(r.diagnostics)).toEqual([{ rule: 'overflow', slide: 2, line: 17, px: 80 }])
    expect(r.diagnostics[0]?.message).toContain('80px past the bottom')
  })

  it('code-size: one very long line is shrunk below 12px', async () => {
    const [d, ...rest] = (await inspect('code-size.md')).diagnostics
    expect(rest).toEqual([])
    expect(d).toMatchObject({ rule: 'code-size', slide: 2, line: 12 })
    expect(d?.px).toBeGreaterThan(0)
    expect(d?.px).toBeLessThan(12)
    expect(d?.message).toMatch(/Marp shrank it to \d+%/)
  })

  it('contrast: grey on grey from directives, found by axe, one finding per slide and colour pair', async () => {
    const r = await inspect('contrast.md')
    expect(brief(r.diagnostics)).toEqual([{ rule: 'contrast', slide: 2, line: 8 }])
    expect(r.diagnostics[0]?.message).toContain('#8a8a8a on #a0a0a0 has contrast 1.32:1')
  })

  it('contrast inside auto-scaled code (which axe alone leaves incomplete), with the slide class', async () => {
    const r = await inspect('contrast-code.md')
    expect(brief(r.diagnostics)).toEqual([{ rule: 'contrast', slide: 2, line: 10 }])
    expect(r.diagnostics[0]?.message).toContain('(class murky): text #888888 on #777777')
  })

  it.each(['clean.md', 'clean-palette.md'])('%s: no finding at all', async (name) => {
    expect((await inspect(name)).diagnostics).toEqual([])
  })

  it('<!-- lint disable overflow --> turns the overflow of its slide off', async () => {
    expect((await inspect('disabled.md')).diagnostics).toEqual([])
  })
})

describe('the seed deck', () => {
  let seed: DeckResult
  beforeAll(async () => {
    seed = await inspect(SEED)
  })

  it('finds the front matter, the directive, the empty bullet and the overflowing code slides', () => {
    expect(brief(seed.diagnostics)).toEqual([
      { rule: 'front-matter', slide: undefined, line: 6 },
      { rule: 'directive-value', slide: 2, line: 15 },
      { rule: 'empty-list-item', slide: 8, line: 56 },
      { rule: 'overflow', slide: 9, line: 63, px: expect.any(Number) },
      { rule: 'overflow', slide: 11, line: 125, px: expect.any(Number) },
      { rule: 'overflow', slide: 12, line: 174, px: expect.any(Number) },
      { rule: 'code-size', slide: 14, line: 224, px: expect.any(Number) },
      { rule: 'code-size', slide: 15, line: 239, px: expect.any(Number) },
    ])
    expect(overflowingSlides(seed)).toEqual([9, 11, 12, 14, 15])
    for (const d of seed.diagnostics.filter((x) => x.rule === 'overflow')) expect(d.px).toBeGreaterThan(20)
  })

  it('has no contrast finding: the palette theme passes AA on every class it uses', () => {
    expect(seed.diagnostics.filter((d) => d.rule === 'contrast')).toEqual([])
  })

  it('a build prints the same findings as lint (checks run in the page the PDF prints)', async () => {
    const built = await builder.buildDeck(SEED, ['pdf'])
    expect(built.errors).toEqual([])
    expect(built.outputs.map((o) => path.basename(o.file))).toEqual(['cni-deep-dive.pdf'])
    expect(brief(built.diagnostics)).toEqual(brief(seed.diagnostics))
  })
})

describe('deck lint (CLI)', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    promisify(execFile)(process.execPath, [CLI, 'lint', ...args], { cwd: ROOT, env: { ...process.env, GITHUB_ACTIONS: '', ...env } }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    )

  beforeAll(() => {
    if (!existsSync(path.join(ROOT, 'lib/src/cli/lint.js'))) throw new Error('lib/ is not compiled: run `npx tsc -p .` (npm test does)')
  })

  it('--strict exits 4 on the seed deck and prints findings grouped by slide', async () => {
    const r = await run(['slides/cni-deep-dive.md', '--strict'])
    expect(r.code).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('slides/cni-deep-dive.md (16 slides, 8 findings)')
    expect(r.stderr).toMatch(/ {2}slide 9 \(line 57\)\n {4}slides\/cni-deep-dive\.md:63 {2}warning {2}slide 9 overflows/)
  })

  it('--strict exits 0 on a clean deck; without --strict findings do not fail', async () => {
    expect((await run(['tests/fixtures/lint/clean.md', '--strict'])).code).toBe(0)
    expect((await run(['tests/fixtures/lint/empty-bullet.md'])).code).toBe(0)
  })

  it('--json prints the documented schema on stdout', async () => {
    const r = await run(['tests/fixtures/lint/overflow.md', 'tests/fixtures/lint/clean.md', '--json', '--strict'])
    expect(r.code).toBe(4)
    const json = JSON.parse(r.stdout) as LintJson
    expect(json.version).toBe(1)
    expect(json.decks.map((d) => [d.file, d.slides, d.findings.length])).toEqual([
      ['tests/fixtures/lint/clean.md', 3, 0],
      ['tests/fixtures/lint/overflow.md', 2, 1],
    ])
    expect(json.decks[1]?.findings[0]).toMatchObject({ rule: 'overflow', severity: 'warning', line: 17, slide: 2, px: 80 })
    expect(json.summary).toEqual({ decks: 2, findings: 1, errors: 0, warnings: 1, failed: true, byRule: { overflow: 1 } })
  })

  it('prints GitHub annotations on stdout when GITHUB_ACTIONS=true', async () => {
    const r = await run(['tests/fixtures/lint/empty-bullet.md'], { GITHUB_ACTIONS: 'true' })
    expect(r.code).toBe(0)
    expect(r.stdout.trim().split('\n')).toEqual([
      '::warning file=tests/fixtures/lint/empty-bullet.md,line=9,title=empty-list-item (slide 1)::empty list item: the bullet has no text, so the slide shows a lone marker%0AWrite the item or delete the line.',
    ])
  })
})
