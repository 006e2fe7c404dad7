import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
// The package's own name, through its `exports` (the compiled lib/: `npm test` compiles first),
// as a user's code imports it.
import { build, DeckError, defineConfig, ExitCode, lint, RULES } from 'marp-deck-pipeline'
import { ROOT, SEED } from '../helpers/project.js'

let out: string | undefined
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true })
})

describe("the public API, imported by the package's name", () => {
  it('builds a deck to HTML: the output path and size, the findings with their lines, no printing', async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'deck-api-'))
    const events: string[] = []
    const result = await build({
      cwd: ROOT,
      decks: [path.relative(ROOT, SEED)],
      formats: ['html'],
      out,
      onEvent: (e) => events.push(e.type),
    })
    expect(result.exitCode).toBe(ExitCode.OK)
    expect(result.root).toBe(ROOT)
    const [deck] = result.decks
    expect(deck).toMatchObject({ file: SEED, title: 'Deep dive into CNI', slides: 16, errors: [] })
    expect(deck!.outputs).toEqual([expect.objectContaining({ format: 'html', file: path.join(out, 'cni-deep-dive.html') })])
    expect(deck!.outputs[0]!.bytes).toBe((await readFile(path.join(out, 'cni-deep-dive.html'))).byteLength)
    expect(deck!.findings.map((f) => [f.rule, f.line])).toEqual(
      expect.arrayContaining([
        ['front-matter', 6],
        ['directive-value', 15],
      ]),
    )
    // The deck's turn and its stages (progress), then its output and findings.
    expect(events).toEqual(['deck-start', 'stage', 'stage', 'output', 'findings', 'deck-done'])
  })

  it('rejects a bad option with a DeckError (exit 2) naming the key', async () => {
    const e = await lint({ cwd: ROOT, formats: ['docx' as never] }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(DeckError)
    expect((e as DeckError).code).toBe(ExitCode.USAGE)
    expect((e as DeckError).message).toContain('formats')
  })

  it('exports defineConfig and the rule list', () => {
    expect(defineConfig({ formats: ['pdf'] })).toEqual({ formats: ['pdf'] })
    expect(RULES.map((r) => r.id)).toContain('local-file')
  })
})
