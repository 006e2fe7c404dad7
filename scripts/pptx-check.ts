import path from 'node:path'
import { parseArgs } from 'node:util'
import { PPTX_MODES, type PptxMode } from '../src/config/options.js'
import { cannotRun, checkDecks, defaultDecks, failures, figuresTable, repoRoot, THRESHOLDS } from './pptx-check/fidelity.js'

/**
 * `npm run pptx-check [-- decks…] [--mode picture] [--keep dir] [--slides]`: the PPTX fidelity
 * check of issue #12 on the seed and the fixture decks (default) or the decks named. Prints the
 * per-deck table (and per-slide figures with --slides); exits 1 when a threshold is not met,
 * 3 when LibreOffice is missing.
 */

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { mode: { type: 'string' }, keep: { type: 'string' }, slides: { type: 'boolean' } },
  })
  const why = cannotRun()
  if (why) {
    process.stderr.write(`pptx-check: ${why}\n`)
    return 3
  }
  const root = repoRoot()
  const decks = positionals.length ? positionals.map((d) => path.resolve(d)) : defaultDecks(root)
  const mode = values.mode
  if (mode !== undefined && !(PPTX_MODES as readonly string[]).includes(mode))
    throw new Error(`--mode takes ${PPTX_MODES.join(' or ')}, not "${mode}"`)
  const build = mode ? { pptxMode: mode as PptxMode } : {}
  const figures = await checkDecks({
    decks,
    root,
    build,
    ...(values.keep ? { keepDir: path.resolve(values.keep) } : {}),
    log: (line) => process.stderr.write(`pptx-check: ${line}\n`),
  })
  process.stdout.write(`${figuresTable(figures, root)}\n`)
  if (values.slides) {
    for (const f of figures) {
      process.stdout.write(`\n${path.relative(root, f.deck)}\n`)
      for (const s of f.slides) {
        process.stdout.write(
          `  slide ${String(s.slide).padStart(2)}: RMSE ${s.rmse.toFixed(4)}, text ${s.text.found}/${s.text.pdfChars} (+${s.text.extra}), ${s.runs} runs, ${s.pictures} pictures\n`,
        )
      }
    }
  }
  const failed = figures.flatMap(failures)
  const limits = `mean RMSE ≤ ${THRESHOLDS.meanRmse}, every slide ≤ ${THRESHOLDS.maxRmse}, text ≥ ${THRESHOLDS.text * 100} %`
  process.stdout.write(failed.length ? `\nNot met (${limits}):\n${failed.map((f) => `- ${f}`).join('\n')}\n` : `\nAll met (${limits}).\n`)
  return failed.length ? 1 : 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`pptx-check: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = 2
  },
)
