import type { AssetProblem } from '../render/assets.js'
import type { Diagnostic } from '../util/diagnostics.js'
import { slideOfLine } from '../render/slides.js'
import type { DeckFacts } from '../render/facts.js'
import { escapeHtml } from '../util/html-text.js'

/*
 * Findings for the resources a deck names but that were not embedded: one per line that names
 * the resource, so the author sees every place. A resource that a theme names is reported at
 * the deck's `theme:` line.
 */

const RULE: Record<AssetProblem['kind'], string> = { missing: 'missing-image', refused: 'local-file', remote: 'remote-resource' }

export interface ThemeLine {
  name: string
  line?: number
}

export function assetDiagnostics(
  file: string,
  markdown: string,
  facts: DeckFacts,
  problems: readonly AssetProblem[],
  theme: ThemeLine,
): Diagnostic[] {
  const out: Diagnostic[] = []
  const source = markdown.split('\n')
  for (const problem of problems) {
    const { url } = problem
    // A theme's url() is a file: URL by now (theme.ts rebaseUrls): show the path it names.
    const shown = url.startsWith('data:') ? `${url.slice(0, 32)}…` : /^file:/i.test(url) && problem.file ? problem.file : url
    const message = messageOf(problem, shown)
    const base = { rule: RULE[problem.kind], severity: 'warning' as const, file, hint: problem.hint }
    // Every line whose text names it (raw HTML, a style, the same file named twice); failing
    // that, the line of the Markdown image from the render (its paragraph's first line).
    const named = linesNaming(source, url)
    const lines = named.length ? named : [...new Set(facts.images.filter((img) => img.src === url).map((img) => img.line))]
    if (lines.length) {
      for (const line of lines) out.push({ ...base, line, slide: slideOfLine(facts, line), message })
      continue
    }
    if (/^file:/i.test(url)) {
      out.push({ ...base, ...(theme.line ? { line: theme.line } : {}), message: `theme ${theme.name}: ${message}` })
      continue
    }
    out.push({ ...base, message })
  }
  return out
}

function messageOf(problem: AssetProblem, shown: string): string {
  switch (problem.kind) {
    case 'missing':
      return `image not found: ${shown}`
    case 'refused':
      return `${shown} was left out: ${problem.reason}`
    case 'remote':
      return `remote resource ${shown} was not embedded: ${problem.reason}`
  }
}

/** 1-based lines of the source that contain `url` as written, or HTML-escaped. */
function linesNaming(lines: readonly string[], url: string): number[] {
  const forms = [...new Set([url, escapeHtml(url), url.replace(/ /g, '%20')])]
  const out: number[] = []
  lines.forEach((text, i) => {
    if (forms.some((f) => text.includes(f))) out.push(i + 1)
  })
  return out
}
