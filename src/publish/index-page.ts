import path from 'node:path'
import type { DeckReport } from '../pipeline/report.js'
import { formatBytes } from './summary.js'
import { escapeHtml } from '../util/html-text.js'

/*
 * `deck build --index`: dist/index.html listing the decks of the build with links to their
 * outputs, so the HTML published to GitHub Pages has a front page. Self-contained, no scripts.
 */

const href = (from: string, to: string) =>
  path
    .relative(from, to)
    .split(path.sep)
    .map((p) => encodeURIComponent(p))
    .join('/')

export function indexPage(results: DeckReport[], outDir: string, title = 'Decks'): string {
  const items = [...results]
    .filter((r) => r.title !== undefined && r.outputs.length)
    .sort((a, b) => (a.title ?? '').localeCompare(b.title ?? ''))
    .map((r) => {
      const deck = { title: r.title ?? '', slideCount: r.slides, author: r.author, description: r.description }
      const html = r.outputs.find((o) => o.format === 'html')
      const name = html ? `<a href="${href(outDir, html.file)}">${escapeHtml(deck.title)}</a>` : escapeHtml(deck.title)
      const links = r.outputs
        .filter((o) => o.format !== 'png')
        .map((o) => `<a href="${href(outDir, o.file)}">${o.format.toUpperCase()}</a> <small>${formatBytes(o.bytes)}</small>`)
        .join(' · ')
      const meta = [
        `${deck.slideCount} slides`,
        deck.author ? escapeHtml(deck.author) : '',
        deck.description ? escapeHtml(deck.description) : '',
      ]
        .filter(Boolean)
        .join(' — ')
      return `<li><h2>${name}</h2><p>${meta}</p><p>${links}</p></li>`
    })
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1f2328}',
    'ul{list-style:none;padding:0}li{border-bottom:1px solid #d0d7de;padding:.5rem 0}h2{font-size:1.25rem;margin:.25rem 0}',
    'p{margin:.25rem 0}a{color:#0550ae}small{color:#57606a}</style>',
    `</head><body><h1>${escapeHtml(title)}</h1>`,
    items.length ? `<ul>\n${items.join('\n')}\n</ul>` : '<p>No decks were built.</p>',
    '</body></html>',
    '',
  ].join('\n')
}
