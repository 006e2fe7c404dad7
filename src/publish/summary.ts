import path from 'node:path'
import type { DeckReport } from '../pipeline/report.js'
import { formatError, formatPlace, relativePath } from '../util/diagnostics.js'

/*
 * `deck build --summary file.md`: a short Markdown report of the build for a CI job page
 * (`$GITHUB_STEP_SUMMARY`): one row per deck with slides, outputs and sizes, then the findings.
 */

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

export function buildSummary(results: DeckReport[], cwd: string): string {
  const lines: string[] = ['## Decks', '']
  const findings = results.reduce((n, r) => n + r.findings.length, 0)
  const failed = results.filter((r) => r.errors.length)
  lines.push(
    `${results.length} deck${results.length === 1 ? '' : 's'}, ${findings} finding${findings === 1 ? '' : 's'}${failed.length ? `, ${failed.length} failed` : ''}.`,
    '',
    '| Deck | Slides | Outputs | Findings |',
    '| --- | ---: | --- | ---: |',
  )
  for (const r of results) {
    const outputs = r.outputs.map((o) => `${path.basename(o.file)} (${formatBytes(o.bytes)})`).join('<br>') || '—'
    const status = r.errors.length ? ' ❌' : ''
    lines.push(
      `| ${escapeCell(relativePath(r.file, cwd))}${status} | ${r.errors.length && !r.slides ? '—' : r.slides} | ${escapeCell(outputs)} | ${r.findings.length} |`,
    )
  }
  const withFindings = results.filter((r) => r.findings.length || r.errors.length)
  if (withFindings.length) {
    lines.push('', '### Findings', '')
    for (const r of withFindings) {
      const rel = relativePath(r.file, cwd)
      for (const e of r.errors) lines.push(`- **${escapeCell(rel)}**: ${escapeCell(formatError(e, r.file, cwd))}`)
      for (const d of r.findings) {
        const where = formatPlace(d, cwd)
        lines.push(`- \`${where}\` ${d.severity} \`${d.rule}\`: ${escapeCell(d.message)}`)
      }
    }
  }
  return `${lines.join('\n')}\n`
}
