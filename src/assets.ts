import { readFile, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeEntities } from './html-text.js'

/**
 * Everything a deck needs is inlined so outputs are self-contained and builds never touch a CDN:
 * local images and emoji become data URIs, fonts come from @fontsource packages (and KaTeX's own
 * fonts when a deck has math). Reads are cached by path and mtime for watch mode.
 */
const require = createRequire(import.meta.url)

/** Emoji image URLs start with this (engine.ts sets it); they become inline SVG from @twemoji/svg. */
export const TWEMOJI_BASE = 'deck-twemoji:/'

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}
const mimeOf = (file: string): string => MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream'

const fileCache = new Map<string, { mtimeMs: number; uri: string }>()

async function fileDataUri(file: string): Promise<string | null> {
  const info = await stat(file).catch(() => null)
  if (!info?.isFile()) return null
  const hit = fileCache.get(file)
  if (hit && hit.mtimeMs === info.mtimeMs) return hit.uri
  const uri = `data:${mimeOf(file)};base64,${(await readFile(file)).toString('base64')}`
  fileCache.set(file, { mtimeMs: info.mtimeMs, uri })
  return uri
}

export type AssetKind = 'local' | 'remote' | 'emoji' | 'inline'

export function classifyUrl(url: string): AssetKind {
  if (url.startsWith(TWEMOJI_BASE)) return 'emoji'
  if (/^(data:|#|about:|javascript:|mailto:)/i.test(url)) return 'inline'
  if (/^(https?:)?\/\//i.test(url)) return 'remote'
  return 'local'
}

/** The file a local URL in a deck points at (relative to the deck's folder, `../` allowed). */
export function localPath(url: string, baseDir: string): string {
  if (url.startsWith('file:')) return fileURLToPath(url)
  const clean = url.split(/[?#]/)[0] ?? url
  let decoded = clean
  try {
    decoded = decodeURIComponent(clean)
  } catch {
    // A stray "%" in a file name: use the name as written.
  }
  return path.resolve(baseDir, decoded)
}

const twemojiDir = path.dirname(require.resolve('@twemoji/svg/package.json'))

export interface InlineOptions {
  baseDir: string
  /** Fetch remote images and inline them; false keeps builds strictly offline. */
  fetchRemote: boolean
  /** Bounded wait for one remote resource. */
  remoteTimeoutMs: number
}

export interface InlineResult {
  html: string
  /** Local files that were referenced but do not exist. */
  missing: string[]
  /** Remote URLs that could not be fetched (or were not, in offline mode), with the reason. */
  remoteFailures: Array<{ url: string; reason: string }>
}

const remoteCache = new Map<string, Promise<string>>()

function fetchDataUri(url: string, timeoutMs: number): Promise<string> {
  const absolute = url.startsWith('//') ? `https:${url}` : url
  let pending = remoteCache.get(absolute)
  if (!pending) {
    pending = (async () => {
      const res = await fetch(absolute, { signal: AbortSignal.timeout(timeoutMs) })
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
      const type = res.headers.get('content-type')?.split(';')[0] ?? mimeOf(new URL(absolute).pathname)
      return `data:${type};base64,${Buffer.from(await res.arrayBuffer()).toString('base64')}`
    })()
    remoteCache.set(absolute, pending)
    // A failure is not cached: the next build may have a network.
    pending.catch(() => remoteCache.delete(absolute))
  }
  return pending
}


// Where a page loads something: `src` of <img> tags, and `url(…)` inside style attributes and
// <style> elements (Marp writes background images as `url(&quot;…&quot;)`). Text that only looks
// like one, in a code block say, is left alone.
const LOADING_PARTS = /<img\b[^>]*>|\sstyle="[^"]*"|<style\b[^>]*>[\s\S]*?<\/style>/g
const URL_PATTERN = /(\ssrc=")([^"]*)(")|(url\()(&quot;|"|')?([^)"'&]*?)(&quot;|"|')?(\))/g

export async function inlineAssets(html: string, opts: InlineOptions): Promise<InlineResult> {
  // Most slides load nothing: a deck without one image or url() is not scanned part by part
  // (two regex passes over the 1.1 MB of the 200-slide deck cost ~10 ms of every watch save).
  if (!/<img\b|url\(/.test(html)) return { html, missing: [], remoteFailures: [] }
  const urls = new Set<string>()
  for (const part of html.match(LOADING_PARTS) ?? []) {
    for (const m of part.matchAll(URL_PATTERN)) urls.add(decodeEntities(m[2] ?? m[6] ?? ''))
  }

  const replacements = new Map<string, string>()
  const missing: string[] = []
  const remoteFailures: InlineResult['remoteFailures'] = []
  await Promise.all(
    [...urls].map(async (url) => {
      const kind = classifyUrl(url)
      if (kind === 'inline' || url === '') return
      if (kind === 'emoji') {
        const uri = await fileDataUri(path.join(twemojiDir, path.basename(url)))
        if (uri) replacements.set(url, uri)
        return
      }
      if (kind === 'remote') {
        if (!opts.fetchRemote) {
          remoteFailures.push({ url, reason: 'not fetched (offline build)' })
          return
        }
        try {
          replacements.set(url, await fetchDataUri(url, opts.remoteTimeoutMs))
        } catch (e) {
          const reason = e instanceof Error && e.name === 'TimeoutError' ? `no answer within ${opts.remoteTimeoutMs} ms` : String((e as Error).message ?? e)
          remoteFailures.push({ url, reason })
        }
        return
      }
      const file = localPath(url, opts.baseDir)
      const uri = await fileDataUri(file)
      if (uri) replacements.set(url, uri)
      else missing.push(file)
    }),
  )
  const out = replacements.size === 0 ? html : html.replace(LOADING_PARTS, (part) =>
    part.replace(URL_PATTERN, (all, srcOpen, srcValue, srcClose, urlOpen, q1, urlValue, q2, urlClose) => {
      const raw = (srcValue ?? urlValue) as string | undefined
      const uri = raw === undefined ? undefined : replacements.get(decodeEntities(raw))
      if (!uri) return all
      return srcOpen ? `${srcOpen}${uri}${srcClose}` : `${urlOpen}${q1 ?? ''}${uri}${q2 ?? ''}${urlClose}`
    }),
  )
  missing.sort()
  remoteFailures.sort((a, b) => a.url.localeCompare(b.url))
  return { html: out, missing, remoteFailures }
}

/* Fonts ------------------------------------------------------------------------------------ */

// Latin and Latin Extended cover the decks we write; each weight file of a @fontsource package
// carries the unicode-range of every subset, so the browser picks the right file per character.
const FONT_FILES: Array<{ pkg: string; css: string[] }> = [
  { pkg: '@fontsource/inter', css: ['400.css', '700.css', '400-italic.css', '700-italic.css'] },
  { pkg: '@fontsource/jetbrains-mono', css: ['400.css', '700.css'] },
]
const WANTED_SUBSET = /-latin(-ext)?-\d/

async function inlineFontCss(css: string, dir: string, subset?: RegExp): Promise<string> {
  // Keep only the woff2 source of each @font-face, as a data URI.
  const blocks = [...css.matchAll(/(?:\/\*\s*([\w-]+)\s*\*\/\s*)?(@font-face\s*{[^}]*})/g)]
    .filter((m) => !subset || subset.test(m[1] ?? ''))
    .map((m) => m[2]!)
  const out: string[] = []
  for (const block of blocks) {
    const woff2 = /url\(["']?([^)"']+\.woff2)["']?\)/.exec(block)?.[1]
    if (!woff2) continue
    const uri = await fileDataUri(path.resolve(dir, woff2))
    if (!uri) continue
    out.push(block.replace(/src:[^;]*;/, `src: url(${uri}) format('woff2');`).replace(/\s+/g, ' '))
  }
  return out.join('\n')
}

let textFontCss: Promise<string> | undefined
let mathFontCss: Promise<string> | undefined

/** @font-face rules for the fonts our themes use (Inter, JetBrains Mono), inlined. */
export function textFonts(): Promise<string> {
  textFontCss ??= (async () => {
    const parts: string[] = []
    for (const { pkg, css } of FONT_FILES) {
      const dir = path.dirname(require.resolve(`${pkg}/package.json`))
      for (const file of css) parts.push(await inlineFontCss(await readFile(path.join(dir, file), 'utf8'), dir, WANTED_SUBSET))
    }
    return parts.join('\n')
  })()
  return textFontCss
}

/** KaTeX's fonts, inlined; only decks that contain math pay for them. */
export function mathFonts(): Promise<string> {
  mathFontCss ??= (async () => {
    const dir = path.join(path.dirname(require.resolve('katex/package.json')), 'dist')
    return inlineFontCss(await readFile(path.join(dir, 'katex.css'), 'utf8'), dir)
  })()
  return mathFontCss
}

/** The font CSS a rendered deck needs. */
export async function fontCssFor(html: string): Promise<string> {
  const parts = [await textFonts()]
  if (html.includes('class="katex')) parts.push(await mathFonts())
  return parts.join('\n')
}
