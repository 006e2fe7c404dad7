import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { assetDiagnostics } from '../access/findings.js'
import { isInside } from '../access/local.js'
import { fetchPolicyOf, type AccessPolicy } from '../access/policy.js'
import { defaultRemoteCacheDir } from '../access/remote-cache.js'
import { fontCssFor, inlineAssets, classifyUrl, localPath } from './assets.js'
import { checkDirectiveValues, checkFences, checkThemeResources, webFontFindings } from './checks.js'
import { recoverFrontMatter } from './frontmatter.js'
import { inlineIframes } from './iframes.js'
import { checkMath, withoutKatexFontFaces } from './math.js'
import { deckMetadata } from './metadata.js'
import type { RenderSettings } from './settings.js'

export { renderSettingsOf, type RenderSettings } from './settings.js'
import { decodeDeck } from './source.js'
import { brokenThemeError, themeLoadError } from './theme-errors.js'
import type { Diagnostic } from '../util/diagnostics.js'
import { RenderCaches } from './caches.js'
import { BESPOKE_CONTAINER, DeckMarp, type DeckEnv } from './engine.js'
import type { DeckFacts } from './facts.js'
import { DeckError } from '../util/errors.js'
import { themeClippingSelectors, type ThemeRegistry } from './themes.js'
import { inlineWebFonts, type WebFontRead } from './webfonts.js'

/*
 * The render stage: Markdown in, everything the exporters and lint need out. It runs once per
 * deck per change; HTML, PDF, PPTX, PNG and lint all derive from its result.
 */

export interface RenderContext extends RenderSettings {
  themes: ThemeRegistry
  /** The caches to use (a Builder's own); renders without one share the process's. */
  caches?: RenderCaches
}

let sharedCaches: RenderCaches | undefined
const cachesOf = (ctx: RenderContext): RenderCaches => ctx.caches ?? (sharedCaches ??= new RenderCaches())

/**
 * What a deck may read and fetch: the project root and the theme folders, plus the deck's own
 * folder when it lies outside the project (the user named that deck on the command line).
 */
export function accessPolicy(ctx: RenderContext, deckFile: string): AccessPolicy {
  const root = ctx.themes.projectRoot
  const deckDir = path.dirname(deckFile)
  const roots = [root, ...ctx.themes.folders(), ...(isInside(deckDir, root) ? [] : [deckDir])]
  return { roots, allowLocalFiles: ctx.allowLocalFiles ?? false, ...fetchPolicyOf(ctx) }
}

export interface ThemeUse {
  /** The @theme name the deck renders with. */
  name: string
  /** The CSS file, unless a built-in theme. */
  file?: string
  /** The file and the theme files it imports: what a watcher must follow. */
  files: string[]
}

export interface RenderedDeck {
  file: string
  /** The Markdown as rendered (front matter recovered, theme path replaced by its name). */
  markdown: string
  /** Slides as Marp renders them (inline SVG per slide), assets inlined. */
  html: string
  css: string
  /** @font-face rules the slides need, inlined. */
  fontCss: string
  /** Speaker notes, one string per slide ('' when none). */
  notes: string[]
  /** The notes as Marp gives them: the comments of each slide. */
  comments: string[][]
  slideCount: number
  size: { width: number; height: number }
  title: string
  author?: string
  description?: string
  keywords?: string[]
  /** Canonical URL of the HTML deck. */
  url?: string
  /** The `og:image` of the HTML deck (see ogImage in metadata.ts). */
  image?: string
  lang?: string
  theme: ThemeUse
  facts: DeckFacts
  diagnostics: Diagnostic[]
  /** Local image files the deck shows (for watch mode). */
  images: string[]
  /** Selectors of the boxes the theme clips by design (lint leaves what they hide alone). */
  themeClips?: string[]
  /** What the render read, for the build cache (see cache/build-cache.ts). */
  reads: DeckReads
}

/** The files and URLs a render read or looked for: its output depends on nothing else (but the settings and versions). */
export interface DeckReads {
  /** Files read: the deck, its theme files (imports included), the images and fonts it embeds (real paths). */
  files: string[]
  /** Files looked for and not there (a missing image, a theme path tried): their appearing changes the output. */
  absent: string[]
  /** Files the local-file policy refused (outside the project, or bytes that are not an image). */
  refused: string[]
  /** Remote URLs fetched live (images) or not had (a web font that failed): the build cache never trusts the deck. */
  remote: string[]
  /** Web-font resources embedded through the RemoteCache, with their bodies' sha256: checked again by URL, not by rendering. */
  fetched: WebFontRead[]
}

function engineFor(ctx: RenderContext): DeckMarp {
  const math = ctx.math ?? true
  const options = `${ctx.html}:${math}:${ctx.lang ?? ''}:${ctx.themes.version}:`
  const key = `${options}${ctx.themes.projectRoot}`
  const { engines, highlights } = cachesOf(ctx)
  let engine = engines.peek(key)
  if (engine) return engine
  engine = new DeckMarp({ html: ctx.html, container: BESPOKE_CONTAINER, math, ...(ctx.lang ? { lang: ctx.lang } : {}) }, highlights)
  const broken = new Map<string, unknown>()
  for (const entry of ctx.themes.entries()) {
    // A theme Marp cannot parse fails only the decks that use it (failIfThemeBroken).
    try {
      engine.themeSet.add(entry.css)
    } catch (e) {
      broken.set(entry.file, e)
    }
  }
  brokenThemes.set(engine, broken)
  // An engine of an older theme set of the same project will not be asked for again.
  for (const k of [...engines.keys()]) if (k.endsWith(`:${ctx.themes.projectRoot}`) && !k.startsWith(options)) engines.delete(k)
  engines.set(key, engine)
  return engine
}

/** Theme files of each engine that Marp could not parse, with the error it gave. */
const brokenThemes = new WeakMap<DeckMarp, Map<string, unknown>>()

/** The deck's theme, or a theme it imports, could not be parsed: fail this deck at its `theme:` line. */
function failIfThemeBroken(engine: DeckMarp, theme: ThemeUse, file: string, themeLine: number | undefined, ctx: RenderContext): void {
  const broken = brokenThemes.get(engine)
  const bad = theme.files.find((f) => broken?.has(f))
  if (bad) throw brokenThemeError({ deck: file, line: themeLine, theme, bad, error: broken!.get(bad), themes: ctx.themes })
}

/** BOM and CRLF are normalised away; neither changes line numbers. */
export const normaliseSource = (raw: string): string => raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')

function slideSize(html: string): { width: number; height: number } {
  const m = /viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"/.exec(html)
  return m ? { width: Number(m[1]), height: Number(m[2]) } : { width: 1280, height: 720 }
}

function replaceThemeValue(markdown: string, line: number, name: string): string {
  const lines = markdown.split('\n')
  lines[line - 1] = (lines[line - 1] ?? '').replace(/^(theme\s*:\s*).*$/, `$1${name}`)
  return lines.join('\n')
}

const stringOf = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined)

/** Where a theme value came from, for its findings: the deck's `theme:` line, or the project's default. */
function themeSource(fromDeck: boolean, value: string): string {
  return fromDeck ? `theme \`${value}\`` : `theme \`${value}\` (the default theme of decks without \`theme:\`, from the config or --theme)`
}

export async function renderDeck(file: string, ctx: RenderContext): Promise<RenderedDeck> {
  const abs = path.resolve(file)
  let raw: Buffer
  try {
    raw = await readFile(abs)
  } catch (e) {
    throw new DeckError(`cannot read deck: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      location: { file: abs },
      hint: 'Check that the file exists and is readable.',
      cause: e,
    })
  }
  return renderSource(abs, raw, ctx)
}

/** Render a deck from its text, or from its bytes (checked to be text, see deck/source.ts). */
export async function renderSource(file: string, raw: string | Uint8Array, ctx: RenderContext): Promise<RenderedDeck> {
  const dir = path.dirname(file)
  const decoded = typeof raw === 'string' ? { text: raw, diagnostics: [] } : decodeDeck(file, raw)
  const diagnostics: Diagnostic[] = [...decoded.diagnostics]
  const recovered = recoverFrontMatter(normaliseSource(decoded.text))
  for (const issue of recovered.issues) {
    diagnostics.push({ rule: 'front-matter', severity: 'warning', file, line: issue.line, message: issue.message, hint: issue.hint })
  }
  let markdown = recovered.markdown

  let theme: ThemeUse = { name: 'default', files: [] }
  const themeTried: string[] = []
  const deckTheme = stringOf(recovered.data['theme'])
  const themeValue = deckTheme ?? ctx.theme
  const themeLine = deckTheme ? recovered.keyLines.get('theme') : undefined
  // A theme from the project's settings becomes the engine's default theme; the Markdown is unchanged.
  let defaultTheme: string | undefined
  const policy = accessPolicy(ctx, file)
  if (themeValue) {
    const found = await ctx.themes.resolve(themeValue, dir, policy).catch((e: unknown) => {
      throw themeLoadError(e, file, themeValue, themeLine, ctx.themes.projectRoot)
    })
    if (found.kind === 'file') {
      const files = ctx.themes.closure(found.entry).map((e) => e.file)
      theme = { name: found.entry.name, file: found.entry.file, files }
      if (themeLine && found.entry.name !== themeValue) markdown = replaceThemeValue(markdown, themeLine, found.entry.name)
      if (!deckTheme) defaultTheme = found.entry.name
    } else if (found.kind === 'builtin') {
      theme = { name: found.name, files: [] }
      if (!deckTheme) defaultTheme = found.name
    } else if (found.kind === 'refused') {
      diagnostics.push({
        rule: 'local-file',
        severity: 'warning',
        file,
        ...(themeLine ? { line: themeLine } : {}),
        message: `${themeSource(!!deckTheme, themeValue)} was left out: ${found.refusal.reason}; the deck renders with the default theme`,
        hint: found.refusal.hint,
      })
      if (themeLine) markdown = replaceThemeValue(markdown, themeLine, 'default')
    } else {
      themeTried.push(...found.tried)
      diagnostics.push({
        rule: 'theme',
        severity: 'warning',
        file,
        ...(themeLine ? { line: themeLine } : {}),
        message: `${themeSource(!!deckTheme, themeValue)} does not resolve${found.tried.length ? ` (looked for ${found.tried.join(', ')})` : ''}; the deck renders with the default theme`,
        hint: deckTheme
          ? 'Give a CSS path relative to the deck or the project root, or the @theme name of a file in css/ or --theme-set.'
          : 'Give a CSS path relative to the config file (to the current folder for --theme), or the @theme name of a file in css/ or --theme-set.',
      })
      if (themeLine) markdown = replaceThemeValue(markdown, themeLine, 'default')
    }
  }

  const engine = engineFor(ctx)
  failIfThemeBroken(engine, theme, file, themeLine, ctx)
  engine.useDefaultTheme(defaultTheme)
  const env: DeckEnv = {}
  let result
  try {
    result = engine.render(markdown, env)
  } catch (e) {
    throw new DeckError(`Marp could not render the deck: ${(e as Error).message}`, { location: { file }, cause: e })
  }
  const facts = env.deckFacts ?? { slides: [], images: [], fences: [], headings: [], directives: [], emptyListItems: [] }

  const themeCss = theme.file ? (ctx.themes.fileEntry(theme.file)?.css ?? '') : ''
  const globals = Object.entries(recovered.data).map(([key, value]) => ({ key, value, line: recovered.keyLines.get(key) ?? 1 }))
  const usedTheme = engine.lastThemeName() ?? theme.name
  diagnostics.push(
    ...checkDirectiveValues(file, [...globals, ...facts.directives], themeCss, { theme: usedTheme, sizes: engine.sizePresets(usedTheme) }),
  )
  diagnostics.push(...checkFences(file, facts))
  diagnostics.push(...checkMath(file, env.deckMath ?? [], facts))

  const inlined = await inlineAssets(result.html, withoutKatexFontFaces(result.css), { baseDir: dir, policy, media: cachesOf(ctx).media })
  diagnostics.push(
    ...assetDiagnostics(file, markdown, facts, inlined.problems, { name: theme.name, ...(themeLine ? { line: themeLine } : {}) }),
  )
  // With --html, local iframes become srcdoc pages and remote ones findings (iframes.ts).
  const framed = ctx.html
    ? await inlineIframes(inlined.html, { file, markdown, facts, baseDir: dir, policy, media: cachesOf(ctx).media })
    : { html: inlined.html, diagnostics: [], files: [] }
  diagnostics.push(...framed.diagnostics)
  const themeEntries = theme.files.flatMap((f) => ctx.themes.fileEntry(f) ?? [])
  const remote = cachesOf(ctx).remote(ctx.cacheDir ?? defaultRemoteCacheDir(ctx.themes.projectRoot))
  const fonts = await inlineWebFonts(inlined.css, { policy, cache: remote, html: inlined.html })
  diagnostics.push(
    ...webFontFindings(file, fonts.problems, themeEntries, { name: theme.name, ...(themeLine ? { line: themeLine } : {}) }, markdown),
  )
  diagnostics.push(...checkThemeResources(themeEntries, fonts.css))
  const images = facts.images.filter((img) => classifyUrl(img.src) === 'local').map((img) => localPath(img.src, dir))

  const { meta, diagnostics: metaFindings } = deckMetadata({
    file,
    data: recovered.data,
    keyLines: recovered.keyLines,
    ...(facts.headings[0]?.text ? { firstHeading: facts.headings[0].text } : {}),
    fileTitle: path.basename(file, path.extname(file)),
    ...(ctx.metadata ? { defaults: ctx.metadata } : {}),
    ...(ctx.lang ? { lang: ctx.lang } : {}),
  })
  diagnostics.push(...metaFindings)
  return {
    file,
    markdown,
    html: framed.html,
    css: fonts.css,
    fontCss: await fontCssFor(inlined.html, result.css),
    notes: result.comments.map((c) => c.join('\n\n').trim()),
    comments: result.comments,
    slideCount: result.comments.length,
    size: slideSize(result.html),
    ...meta,
    theme,
    facts,
    diagnostics,
    images: [...new Set([...images, ...framed.files])].sort(),
    themeClips: themeClippingSelectors((name) => engine.themeSet.get(name), usedTheme),
    reads: {
      files: [...new Set([file, ...theme.files, ...inlined.files, ...framed.files])].sort(),
      absent: [...new Set([...themeTried, ...inlined.problems.flatMap((p) => (p.kind === 'missing' && p.file ? [p.file] : []))])].sort(),
      refused: [...new Set(inlined.problems.flatMap((p) => (p.kind === 'refused' && p.file ? [p.file] : [])))].sort(),
      remote: [...new Set([...inlined.remote, ...fonts.remote])].sort(),
      fetched: fonts.fetched,
    },
  }
}
