import { createHash } from 'node:crypto'
import { statSync } from 'node:fs'
import path from 'node:path'
import type { OverlayItem } from './client.js'
import { dashboardClient, type DashboardDeck, type DashboardFinding } from './dashboard-client.js'

/*
 * The preview's index page: a dashboard of the decks being watched. The server sends a shell
 * with the decks as JSON (a `<script type="application/json">`, never markup), and the page's
 * script draws them and redraws them from each `dashboard` message of the reload channel. The
 * page's own Content-Security-Policy allows only that one script, images and the channel.
 */

/** What the watch session tells the server about a deck; the server turns it into a DashboardDeck. */
export interface IndexEntry {
  /** The deck's path as shown (relative to the project). */
  name: string
  title?: string
  /** Absolute paths of the deck's outputs in dist/ (those that exist are linked, with their sizes). */
  outputs: string[]
  failed: boolean
  slides?: number
  builtAt?: number
  ms?: number
  errors?: OverlayItem[]
  findings?: DashboardFinding[]
  /** The first slide's picture and its content hash, kept in memory (see src/watch/thumbnails.ts). */
  thumbnail?: { png: Uint8Array; hash: string }
}

/** Where thumbnails are served: `/__deck/thumb/<deck id>.png?v=<hash>`. */
export const THUMBNAIL_PATH = '/__deck/thumb/'
/** The decks as JSON, for scripts and tests (the page itself gets them over the reload channel). */
export const DECKS_JSON_PATH = '/__deck/decks.json'

const IDS = { data: 'deck-data', list: 'decks', summary: 'deck-summary', status: 'deck-status' }

/** How an output is named on the dashboard: its format (`talk.handout.pdf` is the handout, not a second PDF). */
const outputLabel = (file: string): string =>
  /\.handout\.pdf$/i.test(file) ? 'Handout' : /\.notes\.md$/i.test(file) ? 'Notes' : path.extname(file).slice(1).toUpperCase()

export const deckId = (name: string): string => createHash('sha1').update(name).digest('hex').slice(0, 12)

/** The dashboard's view of the index entries; `href` gives an output file's URL path. */
export function dashboardDecks(entries: readonly IndexEntry[], href: (file: string) => string): DashboardDeck[] {
  return entries.map((e) => {
    const id = deckId(e.name)
    const outputs = e.outputs.flatMap((file) => {
      const info = statSync(file, { throwIfNoEntry: false })
      return info?.isFile() ? [{ label: outputLabel(file), href: href(file), bytes: info.size, file }] : []
    })
    const page = outputs.find((o) => o.file.endsWith('.html'))?.href
    return {
      id,
      name: e.name,
      title: e.title || path.posix.basename(e.name),
      ...(page ? { page } : {}),
      ...(e.slides !== undefined ? { slides: e.slides } : {}),
      ...(e.builtAt !== undefined ? { builtAt: e.builtAt } : {}),
      ...(e.ms !== undefined ? { ms: e.ms } : {}),
      failed: e.failed,
      errors: e.failed ? (e.errors ?? []) : [],
      findings: e.findings ?? [],
      outputs: outputs.map(({ label, href, bytes }) => ({ label, href, bytes })),
      ...(e.thumbnail ? { thumbnail: `${THUMBNAIL_PATH}${id}.png?v=${e.thumbnail.hash}` } : {}),
    }
  })
}

/** The deck whose thumbnail a request path asks for (the query is only a cache-buster). */
export function thumbnailOf(entries: readonly IndexEntry[], pathname: string): Uint8Array | undefined {
  const id = /^\/__deck\/thumb\/([0-9a-f]{12})\.png$/.exec(pathname)?.[1]
  return id ? entries.find((e) => deckId(e.name) === id)?.thumbnail?.png : undefined
}

/** JSON that is safe inside a `<script>` element: nothing in it can close the element. */
export const scriptJson = (v: unknown): string =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')

const STYLE = `
:root{--fg:#1f2328;--muted:#57606a;--bg:#f6f7f9;--card:#fff;--line:#d0d7de;--accent:#0b57d0;--red:#b3261e}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:64rem;margin:0 auto;padding:0 1.25rem}
header{padding-top:1.5rem;padding-bottom:.75rem;display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1rem}
h1{font-size:1.5rem;margin:0}
header p{margin:0;color:var(--muted)}
#deck-status{margin-left:auto;font-size:.85rem}
.decks{list-style:none;margin:0 0 2rem;padding:0;display:grid;gap:1rem}
.deck{display:flex;gap:1.25rem;background:var(--card);border:1px solid var(--line);border-left:6px solid #2da44e;border-radius:8px;padding:1rem}
.deck[data-state=failed]{border-left-color:var(--red);background:#fff6f5}
.thumb{flex:none;align-self:flex-start;width:240px;aspect-ratio:16/9;border:1px solid var(--line);border-radius:4px;overflow:hidden;background:#eef1f4;display:grid;place-items:center;color:var(--muted);font-size:.8rem}
.thumb img{display:block;width:100%;height:100%;object-fit:contain}
.info{min-width:0;flex:1}
h2{font-size:1.15rem;margin:0;overflow-wrap:anywhere}
.name{margin:0;font:13px ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--muted);overflow-wrap:anywhere}
.meta{margin:.15rem 0 0;color:var(--muted);font-size:.9rem}
.failed{margin:.6rem 0 0;padding:.5rem .75rem;border-radius:6px;background:#fde7e7;color:#5c0f0b}
.failed strong{color:var(--red)}
.failed p{margin:.25rem 0 0}
.failed code{font:13px ui-monospace,monospace;font-weight:600}
.findings p{margin:.5rem 0 0}
.findings p a{color:#8a4b00;font-weight:600}
.findings ul{margin:.1rem 0 0;padding-left:1.1rem;font-size:.9rem;list-style:disc}
.findings li{margin:.1rem 0}
.findings .more{list-style:none;color:var(--muted)}
.clean{color:#116329}
.outputs{margin:.6rem 0 0;display:flex;flex-wrap:wrap;gap:.25rem 1.1rem}
.outputs small{color:var(--muted)}
a{color:var(--accent)}
a:focus-visible{outline:3px solid var(--accent);outline-offset:2px;border-radius:2px}
.empty{color:var(--muted)}
@media (max-width:40rem){.deck{flex-direction:column}.thumb{width:100%}}
`.trim()

const SCRIPT = `(${dashboardClient.toString()})(${[IDS.data, IDS.list, IDS.summary, IDS.status].map((s) => scriptJson(s)).join(',')})`

/** The page's policy: its one script (by hash), inline styles, same-origin images and channel. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'`,
  "style-src 'unsafe-inline'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** The dashboard page with `decks` drawn at load; the script draws every later update. */
export function dashboardPage(decks: DashboardDeck[], wsPath: string): string {
  return [
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Deck preview</title><style>${STYLE}</style></head><body>`,
    `<header><h1>Decks</h1><p id="${IDS.summary}"></p><p id="${IDS.status}" role="status">Connecting to the watcher…</p></header>`,
    `<main><ul id="${IDS.list}" class="decks" aria-label="Decks"></ul></main>`,
    `<script type="application/json" id="${IDS.data}">${scriptJson({ wsPath, decks })}</script>`,
    `<script>${SCRIPT}</script>`,
    '</body></html>',
  ].join('\n')
}
