import type { PipelineEvent } from '../pipeline/events.js'
import type { RunResult } from '../pipeline/run.js'
import { formatDiagnostic, formatError, relativePath, type Diagnostic } from '../util/diagnostics.js'
import { isDeckError, reportError } from '../util/errors.js'
import { isLiveTerminal, Progress, progressInterval } from './progress.js'

/*
 * The one place that writes to the terminal. Progress and results go to stderr so stdout stays
 * free for machine-readable output (`lint --json`); one line per output, with its time.
 */

export interface PrinterOptions {
  cwd: string
  quiet: boolean
  stream?: NodeJS.WritableStream
  /** Where machine-readable output goes (lint --json, GitHub annotations); stdout by default. */
  dataStream?: NodeJS.WritableStream
}

export const formatMs = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`)

export class Printer {
  private readonly stream: NodeJS.WritableStream
  /** The live line or the plain progress lines of a build or lint; none with --quiet. */
  private readonly progress: Progress | undefined
  constructor(private readonly options: PrinterOptions) {
    this.stream = options.stream ?? process.stderr
    const stream = this.stream as NodeJS.WritableStream & { columns?: number }
    this.progress = options.quiet
      ? undefined
      : new Progress({
          stream,
          live: isLiveTerminal(stream),
          intervalMs: progressInterval(),
          rel: (file) => this.rel(file),
          // A pseudo-terminal without a window size says 0 columns.
          columns: () => stream.columns || 80,
        })
  }

  private write(line: string): void {
    this.progress?.clear()
    this.stream.write(`${line}\n`)
    this.progress?.printed()
  }

  /** The run is over: the live line is erased and the progress timer stops. */
  close(): void {
    this.progress?.stop()
  }

  rel(file: string): string {
    return relativePath(file, this.options.cwd)
  }

  /** A report the user asked for (lint findings): printed even with --quiet. */
  report(text: string): void {
    if (text) this.write(text.replace(/\n$/, ''))
  }

  /** Machine-readable output, on stdout so it can be piped while progress stays on stderr. */
  data(text: string): void {
    // On one terminal, stdout's lines would land after the live line on stderr: erased first.
    this.progress?.clear()
    ;(this.options.dataStream ?? process.stdout).write(text.endsWith('\n') ? text : `${text}\n`)
    this.progress?.printed()
  }

  info(message: string): void {
    if (!this.options.quiet) this.write(message)
  }

  output(deck: string, out: string, ms: number): void {
    this.info(`${this.rel(deck)} => ${this.rel(out)} (${formatMs(ms)})`)
  }

  /** Watch mode: one line per rebuild, with the clock time and how long it took. */
  rebuilt(deck: string, outs: string[], ms: number, now = new Date()): void {
    const clock = now.toTimeString().slice(0, 8)
    this.info(`[${clock}] ${this.rel(deck)} => ${outs.map((o) => this.rel(o)).join(', ')} (${formatMs(ms)})`)
  }

  diagnostic(d: Diagnostic): void {
    this.write(formatDiagnostic(d, this.options.cwd))
  }

  /** An error: a DeckError as `file:line: error: message` and its hint; anything else is a bug and shows its stack. */
  error(e: unknown, deck?: string): void {
    this.write(formatError(reportError(e), deck, this.options.cwd))
    const stack = e instanceof Error ? e.stack : undefined
    if (stack && (!isDeckError(e) || process.env['DEBUG'])) this.write(stack)
  }

  /** One line (or a few) for each event of a build, lint or watch. */
  event(e: PipelineEvent): void {
    if (this.progress?.update(e)) return
    switch (e.type) {
      case 'config-warning':
        return this.diagnostic(e.finding)
      case 'output':
        return this.output(e.deck, e.file, e.ms)
      case 'findings':
        for (const d of e.findings) this.diagnostic(d)
        return
      case 'error':
        return this.error(e.error, e.deck)
      case 'written':
        return this.info(`=> ${this.rel(e.file)}`)
      case 'rebuilt':
        return this.rebuilt(e.deck, e.files, e.ms)
      case 'info':
        return this.info(e.message)
      case 'up-to-date':
        return this.info(`${this.rel(e.deck)}: up to date`)
      case 'deck-start':
      case 'stage':
      case 'deck-done':
        return // progress, drawn by this.progress unless --quiet
    }
  }

  /** The last line of a build: how many decks, outputs and warnings, and how long it took. */
  buildDone(result: RunResult): void {
    this.progress?.stop()
    const { decks } = result
    const failed = decks.filter((r) => r.errors.length > 0)
    const outputs = decks.reduce((n, r) => n + (r.upToDate ? 0 : r.outputs.length), 0)
    const warnings = decks.reduce((n, r) => n + r.findings.length, 0)
    const deckWord = decks.length === 1 ? 'deck' : 'decks'
    const fresh = decks.filter((r) => r.upToDate).length
    const built = decks.length - fresh
    const upToDate = fresh ? `, ${fresh} up to date` : ''
    const status = failed.length
      ? `${failed.length} of ${decks.length} ${deckWord} failed${upToDate}`
      : `${built} ${built === 1 ? 'deck' : 'decks'} built${upToDate}`
    const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
    this.info(`${status}: ${count(outputs, 'output')}, ${count(warnings, 'warning')} in ${formatMs(result.ms)}`)
    if (decks.length === 0) this.info('No decks found: put Markdown files in slides/ or name them on the command line.')
  }
}
