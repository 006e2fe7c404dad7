import type { ReportedError } from './errors.js'

/*
 * Findings about a deck: render warnings (bad front matter, missing image…) and lint results
 * share this shape so that the build, the lint command and the preview overlay print them alike.
 */

export type Severity = 'error' | 'warning'

export interface Diagnostic {
  /** Stable rule id, e.g. `front-matter`, `missing-image`; used to silence a rule. */
  rule: string
  severity: Severity
  /** Absolute path of the file the finding is about. */
  file: string
  /** 1-based line, when known. */
  line?: number
  /** 1-based slide number, when the finding is about one slide. */
  slide?: number
  message: string
  /** What to do about it. */
  hint?: string
  /** The measured figure of browser rules: pixels cut off (`overflow`), effective px (`code-size`). */
  px?: number
}

/** `file:line` with the path shown relative to `cwd`, as editors and terminals link it. */
export function formatLocation(d: Pick<Diagnostic, 'file' | 'line'>, cwd = process.cwd()): string {
  const rel = relativePath(d.file, cwd)
  return d.line ? `${rel}:${d.line}` : rel
}

export function relativePath(file: string, cwd = process.cwd()): string {
  if (file.startsWith(cwd + '/')) return file.slice(cwd.length + 1)
  return file
}

/** `file:line (slide N)`: where a finding is, as every report shows it. */
export function formatPlace(d: Pick<Diagnostic, 'file' | 'line' | 'slide'>, cwd = process.cwd()): string {
  return `${formatLocation(d, cwd)}${d.slide ? ` (slide ${d.slide})` : ''}`
}

export function formatDiagnostic(d: Diagnostic, cwd = process.cwd()): string {
  const hint = d.hint ? `\n    ${d.hint}` : ''
  return `${formatPlace(d, cwd)}: ${d.severity}: ${d.message} [${d.rule}]${hint}`
}

/** `file:line: error: message` and the hint under it; `deck` is the place when the error names none. */
export function formatError(e: ReportedError, deck: string | undefined, cwd = process.cwd()): string {
  const file = e.file ?? deck
  const where = file ? `${formatLocation({ file, ...(e.line ? { line: e.line } : {}) }, cwd)}: ` : ''
  return `${where}error: ${e.message}${e.hint ? `\n    ${e.hint}` : ''}`
}

/** Order findings by file, then line, so output is the same for the same input. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.slide ?? 0) - (b.slide ?? 0) || a.rule.localeCompare(b.rule),
  )
}
