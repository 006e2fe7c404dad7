import { formatDiagnostic, relativePath, type Diagnostic } from '../util/diagnostics.js'
import { isDeckError } from '../util/errors.js'

/**
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
  constructor(private readonly options: PrinterOptions) {
    this.stream = options.stream ?? process.stderr
  }

  private write(line: string): void {
    this.stream.write(`${line}\n`)
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
    ;(this.options.dataStream ?? process.stdout).write(text.endsWith('\n') ? text : `${text}\n`)
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

  error(e: unknown, deck?: string): void {
    if (isDeckError(e)) {
      const where = e.location ? `${this.rel(e.location.file)}${e.location.line ? `:${e.location.line}` : ''}: ` : deck ? `${this.rel(deck)}: ` : ''
      this.write(`${where}error: ${e.message}`)
      if (e.hint) this.write(`    ${e.hint}`)
      if (process.env['DEBUG'] && e.stack) this.write(e.stack)
      return
    }
    const err = e instanceof Error ? e : new Error(String(e))
    this.write(`${deck ? `${this.rel(deck)}: ` : ''}error: ${err.message}`)
    if (err.stack) this.write(err.stack)
  }
}
