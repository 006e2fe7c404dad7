import { appendFile } from 'node:fs/promises'
import path from 'node:path'
import type { BuildOptions } from '../pipeline/builder.js'
import { failureCode, findDecks, forEachDeck } from '../pipeline/decks.js'
import { needsBrowser, resolveBuildOptions, type CliBuildValues } from '../config/options.js'
import { sortDiagnostics } from '../util/diagnostics.js'
import type { ExitCode } from '../util/errors.js'
import { writeFileAtomic } from '../util/atomic-write.js'
import { formatMs, type Printer } from './printer.js'
import { indexPage } from '../publish/index-page.js'
import { buildSummary } from '../publish/summary.js'
import { withBuilder } from '../pipeline/lifecycle.js'
import type { Command } from './commands.js'

export interface BuildExtras {
  /** Append a Markdown summary of the build to this file (`$GITHUB_STEP_SUMMARY`). */
  summary?: string
  /** Write `index.html` in the output folder, listing the decks built. */
  index?: boolean
}

/** `deck build`: every named deck (default: slides/) to every requested format. */
export async function runBuild(inputs: string[], options: BuildOptions, printer: Printer, extras: BuildExtras = {}): Promise<ExitCode> {
  const started = performance.now()
  const decks = await findDecks(inputs.length ? inputs : ['slides'], options.root)
  const warm = decks.length > 0 && needsBrowser(options.formats)
  return withBuilder(options, { warm, renderAhead: decks }, async (builder) => {
    const results = await forEachDeck(decks, async (file) => {
      const result = await builder.buildDeck(file, options.formats, {
        onOutput: (deck, out) => printer.output(deck, out.file, out.ms),
      })
      for (const d of sortDiagnostics(result.diagnostics)) printer.diagnostic(d)
      for (const e of result.errors) printer.error(e, file)
      return result
    })
    const failed = results.filter((r) => r.errors.length > 0)
    const outputs = results.reduce((n, r) => n + r.outputs.length, 0)
    const warnings = results.reduce((n, r) => n + r.diagnostics.length, 0)
    const deckWord = decks.length === 1 ? 'deck' : 'decks'
    const status = failed.length ? `${failed.length} of ${decks.length} ${deckWord} failed` : `${decks.length} ${deckWord} built`
    printer.info(`${status}: ${outputs} outputs, ${warnings} warnings in ${formatMs(performance.now() - started)}`)
    if (decks.length === 0) printer.info('No decks found: put Markdown files in slides/ or name them on the command line.')
    results.sort((a, b) => a.file.localeCompare(b.file))
    if (extras.summary) await appendFile(path.resolve(options.root, extras.summary), buildSummary(results, options.root))
    if (extras.index) {
      const index = path.join(options.outDir, 'index.html')
      await writeFileAtomic(index, indexPage(results, options.outDir))
      printer.info(`=> ${printer.rel(index)}`)
    }
    return failureCode(results)
  })
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'Build decks once (the default command)',
  flags: {
    summary: { type: 'string' },
    index: { type: 'boolean' },
  },
  help: [
    '      --summary <file>      Append a Markdown summary (decks, slides, outputs, sizes, findings), e.g. "$GITHUB_STEP_SUMMARY"',
    '      --index               Write index.html in the output folder, listing the decks built (for GitHub Pages)',
  ],
  run: ({ inputs, values, cwd, printer }) => {
    const summary = values['summary']
    const extras: BuildExtras = { index: values['index'] === true, ...(typeof summary === 'string' ? { summary } : {}) }
    return runBuild(inputs, resolveBuildOptions(values as CliBuildValues, cwd), printer, extras)
  },
}
