import type { DeckReport } from '../pipeline/report.js'
import { formatError, formatLocation, relativePath, sortDiagnostics, type Diagnostic } from '../util/diagnostics.js'

/**
 * The three shapes of lint output: human (grouped by deck, then slide), JSON (schema below,
 * version 1) and GitHub Actions workflow commands (annotations on the Markdown lines).
 */
export type ReportFormat = 'human' | 'json' | 'github'

/** JSON output, version 1. Fields are never removed or renamed within a version. */
export interface LintJson {
  version: 1
  decks: Array<{
    /** Path relative to the working directory. */
    file: string
    slides: number
    /** Why the deck could not be linted (unreadable file, no browser), as `file:line: error: message` and the hint; empty when it was. */
    errors: string[]
    findings: Array<{
      /** The file `line` is in, when it is not the deck (a theme's CSS); absent otherwise. */
      file?: string
      rule: string
      severity: 'error' | 'warning'
      line: number | null
      slide: number | null
      message: string
      hint: string | null
      /** Pixels cut off (`overflow`) or effective font size (`code-size`); null for other rules. */
      px: number | null
    }>
  }>
  summary: { decks: number; findings: number; errors: number; warnings: number; failed: boolean; byRule: Record<string, number> }
}

export interface LintReport {
  results: DeckReport[]
  /** Whether the run fails (strict with findings, or a deck that could not be linted). */
  failed: boolean
}

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

export function toJson(report: LintReport, cwd: string): LintJson {
  const byRule: Record<string, number> = {}
  let errors = 0
  let warnings = 0
  const decks = report.results.map((r) => {
    const findings = sortDiagnostics(r.findings).map((d) => {
      byRule[d.rule] = (byRule[d.rule] ?? 0) + 1
      if (d.severity === 'error') errors += 1
      else warnings += 1
      return {
        ...(d.file !== r.file ? { file: relativePath(d.file, cwd) } : {}),
        rule: d.rule,
        severity: d.severity,
        line: d.line ?? null,
        slide: d.slide ?? null,
        message: d.message,
        hint: d.hint ?? null,
        px: d.px ?? null,
      }
    })
    return { file: relativePath(r.file, cwd), slides: r.slides, errors: r.errors.map((e) => formatError(e, r.file, cwd)), findings }
  })
  const sorted = Object.fromEntries(Object.entries(byRule).sort(([a], [b]) => a.localeCompare(b)))
  return {
    version: 1,
    decks,
    summary: { decks: decks.length, findings: errors + warnings, errors, warnings, failed: report.failed, byRule: sorted },
  }
}

/** Human output: per deck, findings about the whole deck first, then slide by slide. */
export function toHuman(report: LintReport, cwd: string): string {
  const out: string[] = []
  let total = 0
  for (const r of report.results) {
    const rel = relativePath(r.file, cwd)
    const list = sortDiagnostics(r.findings)
    total += list.length
    const slides = r.slides ? `${count(r.slides, 'slide')}, ` : ''
    out.push(`${rel} (${slides}${list.length ? count(list.length, 'finding') : 'no findings'})`)
    for (const e of r.errors) out.push(`  ${formatError(e, r.file, cwd).replace(/\n/g, '\n  ')}`)
    const groups = new Map<number, Diagnostic[]>()
    for (const d of list) groups.set(d.slide ?? 0, [...(groups.get(d.slide ?? 0) ?? []), d])
    for (const slide of [...groups.keys()].sort((a, b) => a - b)) {
      const start = r.slideLines[slide - 1]
      out.push(slide ? `  slide ${slide}${start ? ` (line ${start})` : ''}` : '  deck')
      for (const d of groups.get(slide)!) {
        out.push(`    ${formatLocation(d, cwd)}  ${d.severity}  ${d.message}  [${d.rule}]`)
        if (d.hint) out.push(`      ${d.hint}`)
      }
    }
  }
  const decks = count(report.results.length, 'deck')
  out.push(`${decks} linted: ${total ? count(total, 'finding') : 'no findings'}${report.failed ? ' (failing)' : ''}`)
  return out.join('\n')
}

// Workflow command values: `%`, CR and LF are escaped everywhere, `:` and `,` in properties too.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')

/** `::warning file=…,line=…,title=…::message`, one per finding, for GitHub's annotations. */
export function toGithub(report: LintReport, cwd: string): string {
  const out: string[] = []
  for (const r of report.results) {
    for (const e of r.errors) {
      const props = [
        `file=${escapeProperty(relativePath(e.file ?? r.file, cwd))}`,
        ...(e.line ? [`line=${e.line}`] : []),
        `title=${escapeProperty('deck lint')}`,
      ]
      out.push(`::error ${props.join(',')}::${escapeData(e.hint ? `${e.message}\n${e.hint}` : e.message)}`)
    }
    for (const d of sortDiagnostics(r.findings)) {
      const props = [
        `file=${escapeProperty(relativePath(d.file, cwd))}`,
        ...(d.line ? [`line=${d.line}`] : []),
        `title=${escapeProperty(`${d.rule}${d.slide ? ` (slide ${d.slide})` : ''}`)}`,
      ]
      const text = d.hint ? `${d.message}\n${d.hint}` : d.message
      out.push(`::${d.severity} ${props.join(',')}::${escapeData(text)}`)
    }
  }
  return out.join('\n')
}
