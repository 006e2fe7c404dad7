import { existsSync } from 'node:fs'
import path from 'node:path'
import type { DeckReport } from '../pipeline/report.js'
import { formatBytes } from './summary.js'
import { escapeHtml } from '../util/html-text.js'

/*
 * `deck build --index` and `deck index`: `<out>/index.html`, a front page for the decks published
 * to GitHub Pages. Each deck shows its title, slide count, author and description, a thumbnail
 * of its first slide, and links to its HTML, PDF and PPTX: only those that exist in the folder,
 * so the published site has no dead link. Self-contained, no scripts; the same decks give the
 * same bytes.
 */

const href = (from: string, to: string) =>
  path
    .relative(from, to)
    .split(path.sep)
    .map((p) => encodeURIComponent(p))
    .join('/')

/** Formats the index links to, in this order; PNG slides are many files, so none. */
const LINKED = ['html', 'pdf', 'pptx'] as const

const inside = (outDir: string, file: string) => !path.relative(outDir, file).startsWith('..')

export function indexPage(results: DeckReport[], outDir: string, title = 'Decks'): string {
  const items = [...results]
    .map((r) => ({ r, outputs: r.outputs.filter((o) => inside(outDir, o.file) && existsSync(o.file)) }))
    .filter(({ r, outputs }) => r.title !== undefined && outputs.length > 0)
    .sort((a, b) => (a.r.title ?? '').localeCompare(b.r.title ?? '') || a.r.file.localeCompare(b.r.file))
    .map(({ r, outputs }) => {
      const deckTitle = escapeHtml(r.title ?? '')
      const html = outputs.find((o) => o.format === 'html')
      const name = html ? `<a href="${href(outDir, html.file)}">${deckTitle}</a>` : deckTitle
      const links = LINKED.flatMap((format) => outputs.filter((o) => o.format === format))
        .map((o) => `<a href="${href(outDir, o.file)}">${o.format.toUpperCase()}</a> <small>${formatBytes(o.bytes)}</small>`)
        .join(' · ')
      const meta = [
        `${r.slides} slide${r.slides === 1 ? '' : 's'}`,
        r.author ? escapeHtml(r.author) : '',
        r.description ? escapeHtml(r.description) : '',
      ]
        .filter(Boolean)
        .join(' — ')
      const thumb =
        r.thumbnail && inside(outDir, r.thumbnail) && existsSync(r.thumbnail)
          ? `<img src="${href(outDir, r.thumbnail)}" alt="First slide of ${deckTitle}" width="240" loading="lazy">`
          : '<span class="none"></span>'
      const picture = html ? `<a href="${href(outDir, html.file)}" tabindex="-1">${thumb}</a>` : thumb
      return `<li>${picture}<div><h2>${name}</h2><p>${meta}</p><p>${links}</p></div></li>`
    })
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#1f2328}',
    'ul{list-style:none;padding:0}li{display:flex;gap:1rem;align-items:flex-start;border-bottom:1px solid #d0d7de;padding:.75rem 0}',
    'img,.none{display:block;flex:none;width:240px;height:auto;aspect-ratio:auto 16/9;object-fit:contain;border:1px solid #d0d7de;background:#f6f8fa}',
    'h2{font-size:1.25rem;margin:.25rem 0}p{margin:.25rem 0}a{color:#0550ae}small{color:#57606a}',
    '@media (max-width:36rem){li{flex-direction:column}}</style>',
    `</head><body><h1>${escapeHtml(title)}</h1>`,
    items.length ? `<ul>\n${items.join('\n')}\n</ul>` : '<p>No decks were built.</p>',
    '</body></html>',
    '',
  ].join('\n')
}
