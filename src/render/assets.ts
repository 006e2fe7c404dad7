import { readFile, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readLocalMedia, type MediaCache } from '../access/local.js'
import type { AccessPolicy } from '../access/policy.js'
import { fetchRemoteMedia, RemoteRefusal } from '../access/remote.js'
import { decodeEntities } from '../util/html-text.js'
import { memo, memoByKey } from '../util/memo.js'

/*
 * Everything a deck needs is inlined so outputs are self-contained and builds never touch a CDN:
 * local images and emoji become data URIs, fonts come from @fontsource packages (and KaTeX's own
 * fonts when a deck has math). What a deck names goes through the access policy (access/);
 * reads are cached by path and mtime for watch mode.
 */

const require = createRequire(import.meta.url)

/** Emoji image URLs start with this (engine.ts sets it); they become inline SVG from @twemoji/svg. */
export const TWEMOJI_BASE = 'deck-twemoji:/'

const fileCache = new Map<string, { mtimeMs: number; uri: string }>()

/** A file of one of our packages (emoji, fonts) as a data URI; these are ours, not the deck's. */
async function packageDataUri(file: string, mime: string): Promise<string | null> {
  const info = await stat(file).catch(() => null)
  if (!info?.isFile()) return null
  const hit = fileCache.get(file)
  if (hit && hit.mtimeMs === info.mtimeMs) return hit.uri
  const uri = `data:${mime};base64,${(await readFile(file)).toString('base64')}`
  fileCache.set(file, { mtimeMs: info.mtimeMs, uri })
  return uri
}

export type AssetKind = 'local' | 'remote' | 'emoji' | 'inline' | 'other'

export function classifyUrl(url: string): AssetKind {
  if (url.startsWith(TWEMOJI_BASE)) return 'emoji'
  if (/^(data:|#|about:|javascript:|mailto:|blob:)/i.test(url)) return 'inline'
  if (/^(https?:)?\/\//i.test(url)) return 'remote'
  if (/^file:/i.test(url)) return 'local'
  // Any other scheme (ftp:, gopher:, a Windows drive letter is not one): never fetched or read.
  if (/^[a-z][a-z0-9+.-]+:/i.test(url)) return 'other'
  return 'local'
}

/** The file a local URL in a deck points at (relative to the deck's folder, `../` allowed). */
export function localPath(url: string, baseDir: string): string {
  if (/^file:/i.test(url)) {
    try {
      return fileURLToPath(url)
    } catch {
      return path.resolve(baseDir, url)
    }
  }
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
  /** What the deck may read and fetch. */
  policy: AccessPolicy
  /** Local files already read (RenderCaches.media). */
  media: MediaCache
}

/** A resource the deck names that was not embedded, and why. */
export interface AssetProblem {
  /** The URL as the deck wrote it. */
  url: string
  kind: 'missing' | 'refused' | 'remote'
  /** For local files: the path the URL names. */
  file?: string
  reason: string
  hint: string
}

export interface InlineResult {
  html: string
  css: string
  /** Resources named but not embedded, sorted by URL. */
  problems: AssetProblem[]
  /** Local files embedded (real paths), for watch mode. */
  files: string[]
  /** Remote URLs a fetch was tried for (embedded or not): the build cache cannot tell whether they changed. */
  remote: string[]
}

/** Remote images fetched in this process, by URL and the policy that let them in. */
const remoteImages = memoByKey(
  ({ url, policy }: { url: string; policy: AccessPolicy }) => fetchRemoteMedia(url, policy, ['image', 'font']),
  ({ url, policy }) => `${policy.allowPrivateNetwork}\u0000${policy.maxRemoteBytes}\u0000${url}`,
  256,
)

// Where a page loads something: `src` of <img> tags, and `url(…)` inside style attributes and
// <style> elements (Marp writes background images as `url(&quot;…&quot;)`). Text that only looks
// like one, in a code block say, is left alone.
const LOADING_PARTS = /<img\b[^>]*>|\sstyle="[^"]*"|<style\b[^>]*>[\s\S]*?<\/style>/g
const URL_PATTERN = /(\ssrc=")([^"]*)(")|(url\()(&quot;|"|')?([^)"'&]*?)(&quot;|"|')?(\))/g
const CSS_URL = /(url\()(["']?)([^)"']*?)(["']?)(\))/g

/** A data URI used this often, and at least this long, is written once and referenced (see hoist). */
const SHARE_FROM_USES = 2
const SHARE_FROM_LENGTH = 1024

/**
 * Embed what the render loads: local files (through the local-file policy), remote images
 * (through the remote policy) and emoji, in the slides' HTML and in the deck's CSS (its
 * `<style>` blocks). Resources used more than once are written once, as a CSS custom property on
 * `:root` that each use references, so a picture on every slide does not grow the page with
 * every use.
 */
export async function inlineAssets(html: string, css: string, opts: InlineOptions): Promise<InlineResult> {
  const uses = new Map<string, number>()
  const count = (url: string) => uses.set(url, (uses.get(url) ?? 0) + 1)
  // Most slides load nothing: a deck without one image or url() is not scanned part by part.
  if (/<img\b|url\(/.test(html)) {
    for (const part of html.match(LOADING_PARTS) ?? []) {
      for (const m of part.matchAll(URL_PATTERN)) count(decodeEntities(m[2] ?? m[6] ?? ''))
    }
  }
  for (const m of css.matchAll(CSS_URL)) if (classifyUrl(m[3] ?? '') !== 'remote') count(m[3] ?? '')
  if (uses.size === 0) return { html, css, problems: [], files: [], remote: [] }

  const replacements = new Map<string, string>()
  const problems: AssetProblem[] = []
  const files: string[] = []
  const remote: string[] = []
  const { policy } = opts
  await Promise.all(
    [...uses.keys()].map(async (url) => {
      const kind = classifyUrl(url)
      if (kind === 'inline' || url === '') return
      if (kind === 'emoji') {
        const uri = await packageDataUri(path.join(twemojiDir, path.basename(url)), 'image/svg+xml')
        if (uri) replacements.set(url, uri)
        return
      }
      if (kind === 'other') {
        problems.push({
          url,
          kind: 'refused',
          reason: `${url.split(':')[0]}: URLs are never fetched`,
          hint: 'Use an http(s) URL or a file inside the project.',
        })
        return
      }
      if (kind === 'remote') {
        if (!policy.fetchRemote) {
          problems.push({ url, kind: 'remote', reason: 'not fetched (offline build)', hint: REMOTE_HINT })
          return
        }
        remote.push(url)
        try {
          replacements.set(url, await remoteImages({ url, policy }))
        } catch (e) {
          const refusal = e instanceof RemoteRefusal ? e : new RemoteRefusal(String((e as Error).message ?? e), REMOTE_HINT)
          problems.push({ url, kind: 'remote', reason: refusal.message, hint: refusal.hint })
        }
        return
      }
      const file = localPath(url, opts.baseDir)
      const read = await readLocalMedia(file, policy, ['image', 'font'], opts.media)
      if (read.kind === 'ok') {
        replacements.set(url, read.uri)
        files.push(read.real)
      } else if (read.kind === 'missing') {
        problems.push({
          url,
          kind: 'missing',
          file,
          reason: 'not found',
          hint: `No file at ${file}. Paths are relative to the deck's folder.`,
        })
      } else {
        problems.push({ url, kind: 'refused', file, ...read.refusal })
      }
    }),
  )

  // Each data URI used often enough becomes one custom property, named by its order of first use.
  const usesOfUri = new Map<string, number>()
  for (const [url, n] of uses) {
    const uri = replacements.get(url)
    if (uri && classifyUrl(url) !== 'emoji') usesOfUri.set(uri, (usesOfUri.get(uri) ?? 0) + n)
  }
  const shared = new Map<string, string>()
  for (const [uri, n] of usesOfUri) {
    if (n >= SHARE_FROM_USES && uri.length >= SHARE_FROM_LENGTH) shared.set(uri, `--deck-asset-${shared.size + 1}`)
  }
  const cssUrl = (url: string): string | undefined => {
    const uri = replacements.get(url)
    if (!uri) return /^file:/i.test(url) ? 'none' : undefined
    const name = shared.get(uri)
    return name ? `var(${name})` : `url("${uri}")`
  }

  const outHtml =
    replacements.size === 0
      ? html
      : html.replace(LOADING_PARTS, (part) => {
          let hoisted: string | undefined
          const replaced = part.replace(URL_PATTERN, (all, srcOpen, srcValue, srcClose, urlOpen, q1, urlValue, q2, urlClose) => {
            const raw = (srcValue ?? urlValue) as string | undefined
            const url = raw === undefined ? undefined : decodeEntities(raw)
            const uri = url === undefined ? undefined : replacements.get(url)
            if (!uri) return all
            const name = shared.get(uri)
            if (srcOpen) {
              if (!name) return `${srcOpen}${uri}${srcClose}`
              // An <img> of a shared picture shows it through `content`, which replaces the element's
              // image in every current engine; it keeps its own size and alt text.
              hoisted = `content:var(${name});`
              return ''
            }
            return name ? `var(${name})` : `${urlOpen}${q1 ?? ''}${uri}${q2 ?? ''}${urlClose}`
          })
          if (!hoisted) return replaced
          return /\sstyle="/.test(replaced)
            ? replaced.replace(/\sstyle="/, ` style="${hoisted}`)
            : replaced.replace(/^<img\b/, `<img style="${hoisted}"`)
        })
  let outCss = css.replace(CSS_URL, (all, _open, _q1, url: string) => cssUrl(url) ?? all)
  if (shared.size) outCss += `\n:root{${[...shared].map(([uri, name]) => `${name}:url("${uri}")`).join(';')}}`
  problems.sort((a, b) => a.url.localeCompare(b.url))
  return { html: outHtml, css: outCss, problems, files: [...new Set(files)].sort(), remote: [...new Set(remote)].sort() }
}

const REMOTE_HINT = 'Download the image next to the deck and link it by relative path, so the deck builds offline.'

/* Fonts ------------------------------------------------------------------------------------ */

// Latin and Latin Extended cover the decks we write; each weight file of a @fontsource package
// carries the unicode-range of every subset, so the browser picks the right file per character.
// `family` is the font-family name, lower case, that a deck's CSS uses the package by.
const FONT_FILES: Array<{ pkg: string; family: string; css: string[] }> = [
  { pkg: '@fontsource/inter', family: 'inter', css: ['400.css', '700.css', '400-italic.css', '700-italic.css'] },
  { pkg: '@fontsource/jetbrains-mono', family: 'jetbrains mono', css: ['400.css', '700.css'] },
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
    const uri = await packageDataUri(path.resolve(dir, woff2), 'font/woff2')
    if (!uri) continue
    out.push(block.replace(/src:[^;]*;/, `src: url(${uri}) format('woff2');`).replace(/\s+/g, ' '))
  }
  return out.join('\n')
}

/** @font-face rules of one of the fonts our themes use (Inter, JetBrains Mono), inlined; read once per process. */
const packageFonts = memoByKey(
  async ({ pkg, css }: { pkg: string; css: string[] }) => {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`))
    const parts: string[] = []
    for (const file of css) parts.push(await inlineFontCss(await readFile(path.join(dir, file), 'utf8'), dir, WANTED_SUBSET))
    return parts.join('\n')
  },
  ({ pkg }) => pkg,
  FONT_FILES.length,
)

// Declarations that can name a font family: font-family, the font shorthand, and custom
// properties (a theme may keep its font stack in a variable).
const FONT_DECLARATION = /(?:^|[;{\s"])(font-family|font|--[\w-]+)\s*:\s*([^;{}]*)/gi
const FONT_FACE = /@font-face\s*\{[^}]*\}/gi
const STYLE_ATTRIBUTE = /\sstyle="([^"]*)"/g

/**
 * The font families (lower case) a deck's CSS and the style attributes of its slides name in a
 * declaration. A family is named as the last item of a comma-separated part (`font: 700 1em/1.2
 * Inter, sans-serif` names `inter`); quotes are dropped. @font-face rules define, not use.
 */
export function namedFontFamilies(css: string, html: string): Set<string> {
  const styles = [...html.matchAll(STYLE_ATTRIBUTE)].map((m) => decodeEntities(m[1]!))
  const text = [css, ...styles]
    .join('\n')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(FONT_FACE, '')
  const names = new Set<string>()
  for (const m of text.matchAll(FONT_DECLARATION)) {
    for (const part of m[2]!.split(',')) {
      const words = part
        .replace(/["']/g, ' ')
        .replace(/!important/i, '')
        .trim()
        .toLowerCase()
        .split(/\s+/)
      // The family is the part's last words: up to three, so `jetbrains mono` is found after a size.
      for (let n = 1; n <= Math.min(3, words.length); n += 1) names.add(words.slice(-n).join(' '))
    }
  }
  return names
}

/** KaTeX's fonts, inlined; only decks that contain math pay for them. */
export const mathFonts = memo(async () => {
  const dir = path.join(path.dirname(require.resolve('katex/package.json')), 'dist')
  return inlineFontCss(await readFile(path.join(dir, 'katex.css'), 'utf8'), dir)
})

/**
 * The font CSS a rendered deck needs: each of our fonts that its CSS (the theme, imports and the
 * deck's own styles) or its slides' style attributes name, and KaTeX's fonts when a slide has
 * KaTeX math. A deck on Marp's default, gaia or uncover theme names neither of our fonts and gets
 * none; a font's weights and styles come together (which of them a slide shows is not known
 * before the browser lays it out).
 */
export async function fontCssFor(html: string, css: string): Promise<string> {
  const named = namedFontFamilies(css, html)
  const parts: string[] = []
  for (const font of FONT_FILES) if (named.has(font.family)) parts.push(await packageFonts(font))
  if (html.includes('class="katex')) parts.push(await mathFonts())
  return parts.join('\n')
}
