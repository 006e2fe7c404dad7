/**
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

export function formatDiagnostic(d: Diagnostic, cwd = process.cwd()): string {
  const where = formatLocation(d, cwd)
  const slide = d.slide ? ` (slide ${d.slide})` : ''
  const hint = d.hint ? `\n    ${d.hint}` : ''
  return `${where}${slide}: ${d.severity}: ${d.message} [${d.rule}]${hint}`
}

/** Order findings by file, then line, so output is the same for the same input. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.slide ?? 0) - (b.slide ?? 0) ||
      a.rule.localeCompare(b.rule),
  )
}
