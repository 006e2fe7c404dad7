import { Marp, type MarpOptions } from '@marp-team/marp-core'
import katex from '@marp-team/marp-core/plugins/katex'
import shiki from '@marp-team/marp-core/plugins/shiki'
import { bundledLanguages, bundledLanguagesAlias } from 'shiki/langs'
import { TWEMOJI_BASE } from './assets.js'
import { noTokenizeTimeLimit, stableStyleScopes } from './deterministic.js'
import { hljsHighlighter, styledForHljs } from './highlight.js'
import { mathStrict, watchMath, type MathEnv } from './math.js'
import { registerMathJax } from './mathjax.js'
import { slideOfLine } from './slides.js'
import { transitionPlugin } from './transitions.js'
import { BoundedCache } from '../util/memo.js'

/** How many fence HTMLs an engine keeps (see cacheFences). */
const FENCE_CACHE_LIMIT = 5000
import type { DeckFacts } from './facts.js'

export type { DeckFacts, DirectiveFact, FenceFact, HeadingFact, ImageFact, SlideFact } from './facts.js'

/** The container marp-cli's viewer looks for; the render uses it so one HTML serves all. */
export const BESPOKE_CONTAINER = { tag: 'div', id: ':$p' } as const

/*
 * Our Marp engine: marp-core with the official shiki and KaTeX plugins and MathJax (mathjax.ts),
 * highlight.js for decks whose theme styles its classes (highlight.ts), emoji that resolve to
 * files from the @twemoji/svg package instead of a CDN, a highlight cache shared by every render
 * in the process, a plugin that records source facts (slide lines, images, fences…) for
 * warnings and lint, and the same output for the same input (deterministic.ts).
 */

export interface DeckEnv extends MathEnv {
  deckFacts?: DeckFacts
  /** Images seen before Marpit turned background images into slide backgrounds. */
  deckImages?: Array<{ src: string; line: number }>
}

const PLAIN = new Set(['', 'text', 'txt', 'plain'])
export const isKnownLanguage = (lang: string): boolean => PLAIN.has(lang) || lang in bundledLanguages || lang in bundledLanguagesAlias

// Highlighting is the most expensive part of a render of a deck with much code. Its output
// depends only on the language, the fence attributes and the code, because marp-core's shiki
// theme is made of CSS variables, so one cache (RenderCaches.highlights) serves every engine.
function cachedHighlighter(cache: BoundedCache<string>, inner: (code: string, lang: string, attrs: string) => string, prefix = '') {
  return (code: string, lang: string, attrs: string): string =>
    cache.get(`${prefix}${lang}\u0000${attrs}\u0000${code}`, () => inner(code, lang, attrs))
}

// markdown-it's types are not exported by marp-core in a usable form; these are the few fields
// the facts plugin reads.
interface Token {
  type: string
  tag: string
  map: [number, number] | null
  info: string
  content: string
  markup: string
  children: Token[] | null
  meta: Record<string, unknown> | null
  attrGet(name: string): string | null
}
interface CoreState {
  tokens: Token[]
  src: string
  env: DeckEnv | undefined
  /** True for `parseInline` (Marp renders headers and footers that way with the same env). */
  inlineMode: boolean
}
interface MarkdownItLike {
  core: {
    ruler: {
      after(after: string, name: string, fn: (state: CoreState) => void): void
      push(name: string, fn: (state: CoreState) => void): void
    }
  }
}

/** The part of markdown-it that the fence cache and the emoji filter wrap. */
interface RuleToken {
  type: string
  info: string
  content: string
  attrs: Array<[string, string]> | null
  children: RuleToken[] | null
}
type RenderRule = (tokens: RuleToken[], idx: number, options: unknown, env: unknown, self: unknown) => string
interface MarkdownItRules {
  core: {
    ruler: {
      __rules__: Array<{ name: string; fn: (state: { tokens: RuleToken[] }) => unknown }>
      at(name: string, fn: (state: { tokens: RuleToken[] }) => unknown): void
    }
  }
  renderer: { rules: Record<string, RenderRule | undefined> }
}

// eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL on purpose
const NON_ASCII = /[^\u0000-\u007f]/

/**
 * marp-core's unicode emoji rule splits every text of every inline token with a regex of all
 * emoji, a cost every warm render pays. No emoji is plain ASCII, so the rule is given only the
 * inline tokens with a non-ASCII text; it changes those tokens in place.
 */
function scanOnlyNonAsciiForEmoji(md: MarkdownItRules): void {
  const rule = md.core.ruler.__rules__.find((r) => r.name === 'marp_unicode_emoji')
  // marp-core 5.0.2 (src/emoji/emoji.ts) names its core rule so; if it is renamed, fail loudly.
  if (!rule)
    throw new Error("marp-core has no 'marp_unicode_emoji' core rule any more: update scanOnlyNonAsciiForEmoji in src/render/engine.ts")
  const scan = rule.fn
  md.core.ruler.at('marp_unicode_emoji', (state) => {
    const all = state.tokens
    const some = all.filter((t) => t.type === 'inline' && (t.children ?? []).some((c) => c.type === 'text' && NON_ASCII.test(c.content)))
    if (some.length === 0) return
    state.tokens = some
    try {
      return scan(state)
    } finally {
      state.tokens = all
    }
  })
}

const HR = /^ {0,3}([-*_])[ \t]*(?:\1[ \t]*){2,}$/

/**
 * A fence markdown-it closed only because the deck ended: its last line is not a closing fence.
 * Marp then shows the rest of the deck as code, `---` separators included.
 */
function unclosedFence(t: Token, lines: string[]): { separators: number } | undefined {
  if (!t.map) return undefined
  const [start, end] = t.map
  const total = lines.length - (lines[lines.length - 1] === '' ? 1 : 0)
  if (end < total) return undefined
  const last = (lines[end - 1] ?? '').trim()
  const marker = t.markup[0] ?? '`'
  const closes = end - start >= 2 && last.length >= t.markup.length && [...last].every((c) => c === marker)
  if (closes) return undefined
  return { separators: lines.slice(start + 1, end).filter((l) => HR.test(l)).length }
}

function collectFacts(state: CoreState): void {
  if (!state.env || typeof state.env !== 'object' || state.inlineMode) return
  const facts: DeckFacts = { slides: [], images: [], fences: [], headings: [], directives: [], emptyListItems: [] }
  let slide = 0
  let lastLine = 1
  const tokens = state.tokens
  const sourceLines = state.src.split('\n')
  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i]!
    if (t.map) lastLine = t.map[0] + 1
    switch (t.type) {
      case 'marpit_slide_open':
        slide += 1
        facts.slides.push({ slide, line: t.map ? t.map[0] + 1 : lastLine })
        break
      case 'marpit_comment': {
        const parsed = t.meta?.['marpitParsedDirectives'] as Record<string, unknown> | undefined
        for (const [key, value] of Object.entries(parsed ?? {})) {
          facts.directives.push({ key, value, line: lastLine, slide })
        }
        break
      }
      case 'fence': {
        const lang = t.info.trim().split(/\s+/)[0] ?? ''
        const lines = t.content.replace(/\n$/, '').split('\n').length
        const unclosed = unclosedFence(t, sourceLines)
        facts.fences.push({ lang, known: isKnownLanguage(lang), line: lastLine, slide, lines, ...(unclosed ? { unclosed } : {}) })
        break
      }
      case 'heading_open': {
        const inline = tokens[i + 1]
        const text = (inline?.children ?? []).map((c) => (c.type === 'text' || c.type === 'code_inline' ? c.content : '')).join('')
        facts.headings.push({ level: Number(t.tag.slice(1)), text: text.trim(), line: lastLine, slide })
        break
      }
      case 'list_item_open': {
        // An item with nothing inside: the next token closes it.
        if (tokens[i + 1]?.type === 'list_item_close') facts.emptyListItems.push({ line: lastLine, slide })
        break
      }
      default:
        break
    }
  }
  // Images were recorded before slides existed; place each by its line.
  for (const img of state.env.deckImages ?? []) facts.images.push({ ...img, slide: slideOfLine(facts, img.line) })
  state.env.deckFacts = facts
}

function collectImages(state: CoreState): void {
  if (!state.env || typeof state.env !== 'object' || state.inlineMode) return
  const images: Array<{ src: string; line: number }> = []
  for (const t of state.tokens) {
    if (t.type !== 'inline' || !t.map) continue
    for (const child of t.children ?? []) {
      if (child.type === 'image') images.push({ src: child.attrGet('src') ?? '', line: t.map[0] + 1 })
    }
  }
  state.env.deckImages = images
}

// Images are collected right after inline parsing, before Marpit turns `![bg](…)` into slide
// backgrounds (which removes them from the inline tokens); everything else at the end, once
// slides exist.
function factsPlugin(md: MarkdownItLike): void {
  md.core.ruler.after('inline', 'deck_images', collectImages)
  md.core.ruler.push('deck_facts', collectFacts)
}

export class DeckMarp extends Marp {
  /** Caches of what the themes produce; adding a theme to the set empties them. */
  private readonly themeCaches: Array<BoundedCache<string>> = []
  /** marp-core's own default theme, for decks when no project default is set. */
  private readonly marpDefaultTheme: Marp['themeSet']['default']
  /** marp-core's built-in themes (default, gaia, uncover): shiki's, whatever imports them. */
  private readonly builtinThemes: ReadonlySet<object>
  /** Whether a theme (by object) is written for highlight.js; emptied when a theme is added. */
  private readonly hljsThemes = new Map<object, boolean>()

  /** `highlights`: the highlight cache to share (RenderCaches.highlights); a private one when not given. */
  constructor(opts: MarpOptions = {}, highlights = new BoundedCache<string>(FENCE_CACHE_LIMIT)) {
    super({
      ...opts,
      emoji: { ...opts.emoji, twemoji: { base: TWEMOJI_BASE, ext: 'svg' } },
      // `math: false` leaves `$…$` as text (marp-core then registers no math rules at all);
      // `true` is marp-core's default library, MathJax. A deck's `math:` directive picks either.
      math: opts.math === false ? false : opts.math === 'katex' ? 'katex' : 'mathjax',
    })
    this.use(shiki())
    this.shikiTransformers.push(noTokenizeTimeLimit)
    if (opts.math !== false) {
      this.use(katex({ fontPath: false, options: { strict: mathStrict } }))
      registerMathJax(this, (text) => this.markdown.utils.escapeHtml(text))
    }
    this.use(factsPlugin)
    this.use(transitionPlugin as unknown as (md: MarkdownItLike) => void)
    this.use(stableStyleScopes)
    const shikiCode = cachedHighlighter(highlights, this.highlighter.bind(this))
    const hljsCode = cachedHighlighter(highlights, hljsHighlighter, '\u0002hljs\u0000')
    this.highlighter = (code, lang, attrs) => (this.themeWantsHljs() ? hljsCode : shikiCode)(code, lang, attrs)
    const themeSet = this.themeSet
    this.builtinThemes = new Set(themeSet.themes())
    const add = themeSet.add.bind(themeSet)
    themeSet.add = (css) => {
      for (const cache of this.themeCaches) cache.clear()
      this.hljsThemes.clear()
      return add(css)
    }
    this.marpDefaultTheme = this.themeSet.default
    this.cachePackedThemes()
    const md = this.markdown as unknown as MarkdownItRules
    scanOnlyNonAsciiForEmoji(md)
    watchMath(md)
    this.cacheFences(md)
  }

  /**
   * The theme of the next renders' decks that name none (`undefined`: marp-core's `default`).
   * Marpit falls back to `themeSet.default` for a deck without a `theme` directive.
   */
  useDefaultTheme(name: string | undefined): void {
    this.themeSet.default = (name !== undefined ? this.themeSet.get(name) : undefined) ?? this.marpDefaultTheme
  }

  /** The theme of the last render as Marp applied it (its global `theme` directive), if any. */
  lastThemeName(): string | undefined {
    const theme = (this.lastGlobalDirectives as { theme?: unknown } | undefined)?.theme
    return typeof theme === 'string' ? theme : undefined
  }

  /**
   * Whether the theme of the deck being rendered is written for highlight.js: a theme of ours
   * (or one it imports) styles `.hljs` classes and none sets marp-core's shiki variables. Marp's
   * built-in themes count as neither, so a theme that only imports one keeps shiki.
   */
  private themeWantsHljs(): boolean {
    const name = this.lastThemeName()
    const theme = (name !== undefined ? this.themeSet.get(name, true) : undefined) ?? this.themeSet.default
    if (!theme) return false
    let hljs = this.hljsThemes.get(theme)
    if (hljs === undefined) {
      // Marpit 3.2.3's ThemeSet.resolveImport (private in its types): the theme and those it imports.
      const themeSet = this.themeSet as unknown as { resolveImport(t: object): Array<{ css: string }> }
      const own = themeSet.resolveImport(theme).filter((t) => !this.builtinThemes.has(t))
      hljs = styledForHljs(own.map((t) => t.css))
      this.hljsThemes.set(theme, hljs)
    }
    return hljs
  }

  /** The `size` presets a theme offers (its `@size` metadata, imported themes' included), read as marp-core's size plugin reads them. */
  sizePresets(theme: string): string[] {
    const found = this.themeSet.get(theme, true)
    const metas = ((found && this.themeSet.getThemeMeta(found, 'size')) ?? []) as string[]
    const sizes = new Set<string>()
    for (const meta of metas) {
      const [name, width, height] = meta.split(/\s+/)
      if (name && height) sizes.add(name)
      else if (name && width === 'false') sizes.delete(name)
    }
    return [...sizes]
  }

  // A fence's HTML (highlight, Marp's auto-scaling wrapper, twemoji over the result) depends on
  // the fence token and on whether the deck's theme auto-scales code. Watch mode re-renders mostly
  // unchanged fences, so it is kept per engine.
  private cacheFences(md: MarkdownItRules): void {
    const fence = md.renderer.rules['fence']
    if (!fence) return
    const cache = new BoundedCache<string>(FENCE_CACHE_LIMIT)
    this.themeCaches.push(cache)
    md.renderer.rules['fence'] = (tokens, idx, options, env, self) => {
      const token = tokens[idx]!
      const theme = this.lastThemeName() ?? `\u0001${this.themeSet.default?.name ?? ''}`
      const key = `${theme}\u0000${token.info}\u0000${token.attrs ? JSON.stringify(token.attrs) : ''}\u0000${token.content}`
      return cache.get(key, () => fence(tokens, idx, options, env, self))
    }
  }

  // Marpit runs the whole theme through PostCSS on every render (most of a warm render of a
  // small deck). The result depends only on the theme and the pack options (the deck's own
  // <style> blocks, containers, inline SVG), so it is kept per engine.
  private cachePackedThemes(): void {
    const themeSet = this.themeSet
    const pack = themeSet.pack.bind(themeSet)
    const packed = new BoundedCache<string>(64)
    this.themeCaches.push(packed)
    // Keyed by the theme object Marpit packs: a deck without `theme` packs the default theme, and
    // marp-core's size plugin packs a sized copy of the theme under the same name for one render.
    const ids = new WeakMap<object, number>()
    let next = 0
    const idOf = (theme: object | undefined): number => {
      if (!theme) return -1
      let id = ids.get(theme)
      if (id === undefined) ids.set(theme, (id = next++))
      return id
    }
    themeSet.pack = (name, opts) =>
      packed.get(`${idOf(themeSet.get(name ?? '', true))}\u0000${JSON.stringify(opts)}`, () => pack(name, opts))
  }
}
