import path from 'node:path'
import type { DeckResult } from '../pipeline/builder.js'
import { relativePath } from '../util/diagnostics.js'
import { describeError } from '../util/errors.js'

/**
 * `deck build --summary file.md`: a short Markdown report of the build for a CI job page
 * (`$GITHUB_STEP_SUMMARY`): one row per deck with slides, outputs and sizes, then the findings.
 */
const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

export function buildSummary(results: DeckResult[], cwd: string): string {
  const lines: string[] = ['## Decks', '']
  const findings = results.reduce((n, r) => n + r.diagnostics.length, 0)
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
    lines.push(`| ${escapeCell(relativePath(r.file, cwd))}${status} | ${r.deck?.slideCount ?? '—'} | ${escapeCell(outputs)} | ${r.diagnostics.length} |`)
  }
  const withFindings = results.filter((r) => r.diagnostics.length || r.errors.length)
  if (withFindings.length) {
    lines.push('', '### Findings', '')
    for (const r of withFindings) {
      const rel = relativePath(r.file, cwd)
      for (const e of r.errors) lines.push(`- **${escapeCell(rel)}**: error: ${escapeCell(describeError(e))}`)
      for (const d of r.diagnostics) {
        const where = `${rel}${d.line ? `:${d.line}` : ''}${d.slide ? ` (slide ${d.slide})` : ''}`
        lines.push(`- \`${where}\` ${d.severity} \`${d.rule}\`: ${escapeCell(d.message)}`)
      }
    }
  }
  return `${lines.join('\n')}\n`
}
