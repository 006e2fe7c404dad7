import type { AccessPolicy } from '../access/policy.js'
import type { RemoteCache } from '../access/remote-cache.js'
import { mediaTypeOf, RemoteRefusal, styleSheetOf } from '../access/remote.js'
import { decodeEntities } from '../util/html-text.js'

/*
 * A theme's web fonts, embedded: gaia's own `@import` of a font CSS, a theme's Google Fonts
 * `@import`, and `@font-face` rules with a remote `src`. Each is fetched under the remote policy
 * (through the on-disk RemoteCache, so once per machine), the font CSS's own `url()`s resolved
 * against the CSS's URL, and everything inlined as data URIs, so the HTML, the PDF and the PPTX
 * show the same font and the HTML loads nothing.
 *
 * Of an imported CSS only its `@font-face` rules are kept, and of those only the faces whose
 * `unicode-range` holds a character of the deck (a Google Fonts CSS lists a face per script).
 * `local()` sources are dropped, so the font does not depend on what the machine has installed.
 *
 * A resource that cannot be had (offline and not cached, refused, an error) is removed from the
 * CSS, so every output falls back to the theme's next font alike, and is returned as a problem.
 * Each resource embedded is returned with the SHA-256 of its body: the build cache asks the
 * RemoteCache the same question again (same URL, same `accept`) instead of rendering.
 */

export interface WebFontProblem {
  /** The URL as the theme wrote it. */
  url: string
  /** What names it: an `@import` or a `@font-face` source. */
  what: '@import' | '@font-face source'
  reason: string
  hint: string
}

/** What a fetched resource was asked for as: the `accept` of each kind is part of the RemoteCache's key. */
export type WebFontKind = 'css' | 'font'

export const WEB_FONT_ACCEPT: Readonly<Record<WebFontKind, string>> = {
  css: 'text/css,*/*;q=0.1',
  font: 'font/woff2,font/woff,font/ttf;q=0.9,*/*;q=0.1',
}

/** A resource the CSS embeds: its URL as fetched (absolute), what it was asked for as, and its body's sha256. */
export interface WebFontRead {
  kind: WebFontKind
  url: string
  sha256: string
}

export interface WebFonts {
  css: string
  problems: WebFontProblem[]
  /** The resources embedded (a failed import's CSS and fonts left out), sorted: the build cache checks them again by URL. */
  fetched: WebFontRead[]
  /** The URLs that could not be had (the problems'): a deck with one is never up to date. */
  remote: string[]
}

export interface WebFontOptions {
  policy: AccessPolicy
  cache: RemoteCache
  /** The slides' HTML: its characters choose the faces of an imported CSS. */
  html: string
}

const REMOTE_IMPORT = /@import\s+(?:url\(\s*(["']?)((?:https?:)?\/\/[^"')\s]+)\1\s*\)|(["'])((?:https?:)?\/\/[^"']+)\3)[^;]*;/gi
const FONT_FACE = /@font-face\s*\{[^{}]*\}/gi
const REMOTE = /^(?:https?:)?\/\//i
/** Most font files one imported CSS may make a build fetch (a Google Fonts family with every script and weight stays under it). */
export const MAX_FACES_PER_IMPORT = 64

/** The CSS with its remote imports and font sources embedded (or removed), and what could not be. */
export async function inlineWebFonts(css: string, opts: WebFontOptions): Promise<WebFonts> {
  if (!/@import|@font-face/i.test(css) || !/url\(\s*["']?(?:https?:)?\/\/|@import\s+["'](?:https?:)?\/\//i.test(css)) {
    return { css, problems: [], fetched: [], remote: [] }
  }
  const problems: WebFontProblem[] = []
  const fetched: WebFontRead[] = []
  const chars = deckCharacters(opts.html)

  // Remote imports: each becomes the faces of its CSS, appended (an @font-face may come anywhere,
  // while an @import must stay before every other rule).
  const imports = [...css.matchAll(REMOTE_IMPORT)].map((m) => m[2] ?? m[4] ?? '')
  const imported = await Promise.all(
    imports.map((url) =>
      importedFaces(url, chars, opts).then(
        (faces) => {
          fetched.push(...faces.fetched)
          return faces.css
        },
        (e: unknown) => {
          problems.push(problemOf(url, '@import', e))
          return ''
        },
      ),
    ),
  )
  let out = imports.length ? css.replace(REMOTE_IMPORT, '') : css

  // The theme's own @font-face rules with a remote source.
  const faces = [...out.matchAll(FONT_FACE)].map((m) => m[0]).filter((face) => remoteSources(face).length)
  const replaced = new Map<string, string>()
  await Promise.all(
    [...new Set(faces)].map(async (face) => {
      replaced.set(
        face,
        await embedFace(face, undefined, opts, fetched, (url, e) => {
          problems.push(problemOf(url, '@font-face source', e))
        }),
      )
    }),
  )
  if (replaced.size) out = out.replace(FONT_FACE, (face) => replaced.get(face) ?? face)
  const added = imported.filter(Boolean).join('\n')
  problems.sort((a, b) => a.url.localeCompare(b.url))
  // Each resource once (two faces may share a file; one render gets one body per URL and kind).
  const reads = [...new Map(fetched.map((r) => [`${r.kind} ${r.url}`, r])).values()].sort(
    (a, b) => a.url.localeCompare(b.url) || a.kind.localeCompare(b.kind),
  )
  const remote = [...new Set(problems.map((p) => p.url))].sort()
  return { css: added ? `${out}\n${added}` : out, problems, fetched: reads, remote }
}

function problemOf(url: string, what: WebFontProblem['what'], e: unknown): WebFontProblem {
  if (e instanceof RemoteRefusal) return { url, what, reason: e.message, hint: e.hint }
  return {
    url,
    what,
    reason: e instanceof Error ? e.message : String(e),
    hint: 'Check the URL and the network, or download the font next to the theme.',
  }
}

/** The @font-face rules of the CSS at `url`, for the deck's characters, embedded, and what was fetched; throws when any is missing. */
async function importedFaces(
  url: string,
  chars: ReadonlySet<number>,
  opts: WebFontOptions,
): Promise<{ css: string; fetched: WebFontRead[] }> {
  const absolute = url.startsWith('//') ? `https:${url}` : url
  const answer = await opts.cache.get(absolute, opts.policy, WEB_FONT_ACCEPT.css)
  const fetched: WebFontRead[] = [{ kind: 'css', url: absolute, sha256: answer.sha256 }]
  const css = styleSheetOf(answer.type, answer.body)
  const base = answer.url
  const wanted = [...css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(FONT_FACE)].map((m) => m[0]).filter((face) => coversAny(face, chars))
  if (wanted.length > MAX_FACES_PER_IMPORT) {
    throw new RemoteRefusal(
      `it asks for ${wanted.length} font files, more than ${MAX_FACES_PER_IMPORT}`,
      'Import fewer weights and scripts, or download the fonts next to the theme.',
    )
  }
  const out: string[] = []
  for (const face of wanted) {
    out.push(
      await embedFace(face, base, opts, fetched, (font, e) => {
        const why = e instanceof RemoteRefusal ? e : new RemoteRefusal(String(e), 'Check the URL and the network.')
        throw new RemoteRefusal(`its font ${font} could not be embedded: ${why.message}`, why.hint)
      }),
    )
  }
  return { css: out.join('\n'), fetched }
}

/** The `src` entries of a face that name a remote URL. */
function remoteSources(face: string): string[] {
  const src = /(?:^|[;{\s])src\s*:([^;}]*)/i.exec(face)?.[1] ?? ''
  return [...src.matchAll(/url\(\s*(["']?)([^"')]+)\1\s*\)/gi)].map((m) => m[2]!).filter((u) => REMOTE.test(u))
}

/**
 * The face with each remote source as a data URI (each added to `fetched`). A source that fails
 * is dropped and reported through `failed` (which may throw); `local()` sources of an imported
 * CSS are dropped. A face left without a source is removed.
 */
async function embedFace(
  face: string,
  base: string | undefined,
  opts: WebFontOptions,
  fetched: WebFontRead[],
  failed: (url: string, e: unknown) => void,
): Promise<string> {
  const srcMatch = /(^|[;{\s])src\s*:([^;}]*)/i.exec(face)
  if (!srcMatch) return face
  const entries = splitList(srcMatch[2]!)
  const kept: string[] = []
  for (const entry of entries) {
    if (base && /^\s*local\(/i.test(entry)) continue
    const url = /url\(\s*(["']?)([^"')]+)\1\s*\)/i.exec(entry)?.[2]
    if (!url || (!base && !REMOTE.test(url)) || url.startsWith('data:')) {
      kept.push(entry.trim())
      continue
    }
    let absolute = url
    try {
      absolute = base ? new URL(url, base).href : url.startsWith('//') ? `https:${url}` : url
      const answer = await opts.cache.get(absolute, opts.policy, WEB_FONT_ACCEPT.font)
      const mime = await mediaTypeOf(answer.type, answer.body, ['font'])
      fetched.push({ kind: 'font', url: absolute, sha256: answer.sha256 })
      const format = /format\([^)]*\)/i.exec(entry)?.[0]
      kept.push(`url("data:${mime};base64,${answer.body.toString('base64')}")${format ? ` ${format}` : ''}`)
    } catch (e) {
      failed(base ? absolute : url, e)
    }
  }
  if (!kept.length) return ''
  const at = srcMatch.index + srcMatch[1]!.length
  return `${face.slice(0, at)}src:${kept.join(',')}${face.slice(at + srcMatch[0].length - srcMatch[1]!.length)}`
}

/** A comma-separated CSS list, commas inside parentheses or quotes kept. */
function splitList(value: string): string[] {
  const out: string[] = []
  let depth = 0
  let quote = ''
  let start = 0
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i]!
    if (quote) {
      if (c === quote) quote = ''
    } else if (c === '"' || c === "'") quote = c
    else if (c === '(') depth += 1
    else if (c === ')') depth -= 1
    else if (c === ',' && depth === 0) {
      out.push(value.slice(start, i))
      start = i + 1
    }
  }
  out.push(value.slice(start))
  return out.filter((e) => e.trim())
}

/** Code points the slides show: their text, and printable ASCII (numbers, pagination) always. */
function deckCharacters(html: string): Set<number> {
  const chars = new Set<number>()
  for (let c = 0x20; c <= 0x7e; c += 1) chars.add(c)
  const text = decodeEntities(html.replace(/<style\b[\s\S]*?<\/style>|<[^>]*>/gi, ' '))
  for (const ch of text) chars.add(ch.codePointAt(0)!)
  return chars
}

/** Whether a face's `unicode-range` (all of Unicode when it has none) holds one of `chars`. */
function coversAny(face: string, chars: ReadonlySet<number>): boolean {
  const range = /unicode-range\s*:([^;}]*)/i.exec(face)?.[1]
  if (!range) return true
  const spans = range.split(',').flatMap((part) => {
    const m = /U\+([0-9a-f?]+)(?:-([0-9a-f]+))?/i.exec(part.trim())
    if (!m) return []
    const from = m[1]!
    if (from.includes('?')) return [[parseInt(from.replace(/\?/g, '0'), 16), parseInt(from.replace(/\?/g, 'f'), 16)] as const]
    return [[parseInt(from, 16), parseInt(m[2] ?? from, 16)] as const]
  })
  for (const c of chars) if (spans.some(([lo, hi]) => c >= lo && c <= hi)) return true
  return false
}
