import {
  DEFAULTS,
  FORMATS,
  HANDOUT_LAYOUTS,
  HANDOUT_PAPERS,
  PPTX_MODES,
  type Format,
  type HandoutLayout,
  type HandoutPaper,
  type PptxMode,
} from './options.js'
import { isDeckError } from '../util/errors.js'
import { CONFIG_FILE, LINT_DEFAULTS, parseLintConfig, type LintConfig, type RuleSetting } from '../lint/config.js'
import type { RuleId } from '../lint/rules.js'
import { ConfigChecker, isObject, type LineOf } from './check.js'

/**
 * The project config: `deck.config.{json,js,mjs,ts}` at the project root. Every key is optional;
 * paths are relative to the config file's folder. CLI flags win over these, and these over the
 * defaults (see applyConfig in merge.ts).
 */
export interface DeckConfig {
  /** Folder the decks come from; outputs keep their layout under it. Default `"slides"`. */
  inputDir?: string
  /** Decks to build: Markdown files or folders. Default: every `.md` under `inputDir`. */
  decks?: string | string[]
  /** Output folder, or a file name (`talk.pdf`) when one deck is built to one format. Default `"dist"`. */
  out?: string
  /** Outputs to write, any of html, pdf, pptx, png, handout, notes. Default `["html", "pdf", "pptx"]`. */
  formats?: Format[]
  /** Theme of decks whose front matter names none: a theme name or a CSS file. Default: Marp's `default`. */
  theme?: string
  /** Extra theme CSS files or folders; the project's `css/` is always loaded. Default none. */
  themeSet?: string | string[]
  /** Allow raw HTML in Markdown, as marp-cli's `html`. Default `false`. */
  html?: boolean
  /** Embed local files from outside the project (never /proc, /sys, /dev); only for decks you trust. Default `false`. */
  allowLocalFiles?: boolean
  /** Fetch URLs on this machine or a private network; only for decks you trust. Default `false`. */
  allowPrivateNetwork?: boolean
  /** Largest remote image embedded, in MB. Default `20`. */
  maxRemoteSize?: number
  /** Do not fetch remote images; warn about them instead. Default `false`. */
  offline?: boolean
  /** Longest wait for one remote image, in milliseconds. Default `5000`. */
  remoteTimeout?: number
  /** Folder where a theme's web fonts are kept between builds. Default `node_modules/.cache/marp-deck-pipeline/remote`. */
  cacheDir?: string
  /** Add speaker notes to the PDF as annotations. Default `false`. */
  pdfNotes?: boolean
  /** PDF bookmarks: `true` for pages and headings, `false` for none, or pick. Default: one per page. */
  pdfOutlines?: boolean | { pages?: boolean; headings?: boolean }
  /** Scale of PNG output (PPTX pictures are always 2x). Default `1`. */
  imageScale?: number
  /** PPTX: `"editable"` (text, shapes, tables; pictures only where nothing native fits) or `"picture"` (one picture per slide). Default `"editable"`. */
  pptxMode?: PptxMode
  /** Chrome, Chromium or Edge executable. Default: `CHROME_PATH`, then the usual install paths. */
  browserPath?: string
  /** Timeout of one browser operation, in seconds. Default `30`. */
  browserTimeout?: number
  /** Title of decks whose front matter has none. Default: the deck's first heading. */
  title?: string
  /** Description (HTML meta, PDF Subject) of decks whose front matter has none. Default none. */
  description?: string
  /** Author (HTML meta, PDF and PPTX properties) of decks whose front matter has none. Default none. */
  author?: string
  /** Keywords: a list or one comma-separated string. Default none. */
  keywords?: string | string[]
  /** Canonical URL of the HTML deck. Default none. */
  url?: string
  /** Open Graph image of the HTML deck: a URL or a file. Default none. */
  image?: string
  /** Language of decks whose front matter has no `lang` (HTML `lang`, each slide's `lang`, PDF /Lang). Default: none, and the HTML says `en`. */
  lang?: string
  /** Math library of decks without a `math:` directive: `"mathjax"` (or `true`: marp-core's default), `"katex"`, or `false` (`$…$` stays text). Default `true`. */
  math?: boolean | 'mathjax' | 'katex'
  /** The handout PDF (`--format handout`). */
  handout?: {
    /** `"a4"` or `"letter"`. Default: from the locale (LC_ALL, LC_PAPER, LANG): Letter in the US, Canada, Mexico…, else A4. */
    paper?: HandoutPaper
    /** Slides a page: 1 (with its notes under it), 2, 3 (with lines to write on), 4 or 6. Default `1`. */
    layout?: HandoutLayout
  }
  /** `deck watch`'s preview server. */
  watch?: {
    /** Port of the preview. Default `8080`, or the next free one. */
    port?: number
    /** Address to listen on; `0.0.0.0` shares on the LAN. Default `"127.0.0.1"`. */
    host?: string
    /** Open the preview in a browser. Default `true`. */
    open?: boolean
  }
  /** `deck lint` settings. */
  lint?: {
    /** Fail (exit 4) when any finding remains. Default `false`. */
    strict?: boolean
    /** Smallest readable code font size, in px on a 1280 px wide slide. Default `12`. */
    minCodeFontPx?: number
    /** Per rule: `"off"`, or the severity to report it with. Default: each rule's own. */
    rules?: Partial<Record<RuleId, RuleSetting>>
  }
}

/** The bookmarks of the PDF. */
export interface PdfOutlines {
  pages: boolean
  headings: boolean
}

/** A checked config: lists are lists, `math` and `pdfOutlines` have one shape, `lint` is complete. */
export interface CheckedConfig extends Omit<DeckConfig, 'decks' | 'themeSet' | 'keywords' | 'pdfOutlines' | 'math' | 'lint'> {
  decks?: string[]
  themeSet?: string[]
  keywords?: string[]
  pdfOutlines?: PdfOutlines
  math?: boolean | 'mathjax' | 'katex'
  lint?: LintConfig
}

/** Types a `deck.config.ts` or `.mjs`: `export default defineConfig({ … })`. */
export function defineConfig(config: DeckConfig): DeckConfig {
  return config
}

/** Every option at its default; `applyConfig` falls back to these. */
export const CONFIG_DEFAULTS = {
  inputDir: 'slides',
  out: DEFAULTS.outDir,
  formats: [...DEFAULTS.formats] as Format[],
  themeSet: [] as string[],
  html: false,
  allowLocalFiles: false,
  allowPrivateNetwork: false,
  maxRemoteSize: DEFAULTS.maxRemoteMb,
  offline: false,
  remoteTimeout: DEFAULTS.remoteTimeoutMs,
  pdfNotes: false,
  pdfOutlines: { pages: true, headings: false } as PdfOutlines,
  imageScale: DEFAULTS.imageScale,
  pptxMode: DEFAULTS.pptxMode,
  browserTimeout: DEFAULTS.browserTimeoutMs / 1000,
  math: true,
  handout: { layout: DEFAULTS.handoutLayout } as { paper?: HandoutPaper; layout: HandoutLayout },
  watch: { port: 8080, host: '127.0.0.1', open: true },
  lint: LINT_DEFAULTS,
}
export type ConfigDefaults = typeof CONFIG_DEFAULTS

export const CONFIG_KEYS = [
  'inputDir',
  'decks',
  'out',
  'formats',
  'theme',
  'themeSet',
  'html',
  'allowLocalFiles',
  'allowPrivateNetwork',
  'maxRemoteSize',
  'offline',
  'remoteTimeout',
  'cacheDir',
  'pdfNotes',
  'pdfOutlines',
  'imageScale',
  'pptxMode',
  'browserPath',
  'browserTimeout',
  'title',
  'description',
  'author',
  'keywords',
  'url',
  'image',
  'lang',
  'math',
  'handout',
  'watch',
  'lint',
] as const satisfies readonly (keyof DeckConfig)[]

const WATCH_KEYS = ['port', 'host', 'open'] as const
const HANDOUT_KEYS = ['paper', 'layout'] as const
const LINT_KEYS = ['strict', 'minCodeFontPx', 'rules'] as const

/** Keys people bring from marp-cli or the CLI flags, and the key that does it here. */
const ALIASES: Record<string, string> = {
  output: 'out',
  outDir: 'out',
  format: 'formats',
  pdf: 'formats',
  pptx: 'formats',
  images: 'formats',
  ogImage: 'image',
  port: 'watch.port',
  host: 'watch.host',
  strict: 'lint.strict',
  rules: 'lint.rules',
  minCodeFontPx: 'lint.minCodeFontPx',
  handoutPaper: 'handout.paper',
  handoutLayout: 'handout.layout',
  paper: 'handout.paper',
  layout: 'handout.layout',
}

/** Check a parsed config (the default export or the JSON); throws one usage error at the first problem. */
export function validateConfig(value: unknown, file: string, lineOf?: LineOf): CheckedConfig {
  const c = new ConfigChecker(file, lineOf)
  if (!isObject(value)) {
    throw c.error('', `${c.name} must hold an object of settings`, 'For example { "formats": ["html", "pdf"] }.')
  }
  const { $schema: _schema, ...raw } = value
  c.onlyKeys(raw, CONFIG_KEYS, '', ALIASES)
  const out: CheckedConfig = {}
  const set = <K extends keyof CheckedConfig>(key: K, v: CheckedConfig[K] | undefined): void => {
    if (v !== undefined) out[key] = v
  }
  set('inputDir', c.string(raw, 'inputDir', '', '"inputDir": "slides"'))
  set('decks', c.strings(raw, 'decks', '', '"decks": ["slides/talk.md"]'))
  set('out', c.string(raw, 'out', '', '"out": "dist"'))
  set('formats', formats(c, raw['formats']))
  set('theme', c.string(raw, 'theme', '', '"theme": "palette-3"'))
  set('themeSet', c.strings(raw, 'themeSet', '', '"themeSet": ["themes/"]'))
  for (const key of ['html', 'allowLocalFiles', 'allowPrivateNetwork', 'offline', 'pdfNotes'] as const) set(key, c.boolean(raw, key))
  set('maxRemoteSize', c.positive(raw, 'maxRemoteSize', 'MB'))
  set('remoteTimeout', c.positive(raw, 'remoteTimeout', 'milliseconds'))
  set('cacheDir', c.string(raw, 'cacheDir', '', '"cacheDir": ".cache/deck"'))
  set('imageScale', c.positive(raw, 'imageScale', 'a factor'))
  set('pptxMode', pptxMode(c, raw['pptxMode']))
  set('browserTimeout', c.positive(raw, 'browserTimeout', 'seconds'))
  set('pdfOutlines', pdfOutlines(c, raw['pdfOutlines'], 'pdfOutlines'))
  set('browserPath', c.string(raw, 'browserPath', '', '"browserPath": "/usr/bin/chromium"'))
  for (const key of ['title', 'description', 'author', 'image', 'lang'] as const) set(key, c.string(raw, key))
  set('url', c.url(raw, 'url'))
  set('keywords', c.keywords(raw, 'keywords'))
  set('math', math(c, raw['math']))
  const watch = c.object(raw, 'watch')
  if (watch) {
    c.onlyKeys(watch, WATCH_KEYS, 'watch.')
    const port = watch['port']
    if (port !== undefined && !(typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw c.mustBe('watch.port', 'a port number from 0 to 65535 (0: any free port)', '"watch": { "port": 8080 }')
    }
    const host = c.string(watch, 'host', 'watch.', '"watch": { "host": "127.0.0.1" }')
    const open = c.boolean(watch, 'open', 'watch.')
    out.watch = {
      ...(port !== undefined ? { port } : {}),
      ...(host !== undefined ? { host } : {}),
      ...(open !== undefined ? { open } : {}),
    }
  }
  set('handout', handout(c, c.object(raw, 'handout')))
  const lint = c.object(raw, 'lint')
  if (lint) {
    c.onlyKeys(lint, LINT_KEYS, 'lint.')
    out.lint = checkedLint(c, lint)
  }
  return out
}

function formats(c: ConfigChecker, v: unknown): Format[] | undefined {
  if (v === undefined) return undefined
  const list = Array.isArray(v) ? v.map((f) => (typeof f === 'string' ? f.trim().toLowerCase() : f)) : undefined
  if (!list || list.length === 0 || list.some((f) => !(FORMATS as readonly unknown[]).includes(f))) {
    throw c.mustBe('formats', `a list of ${FORMATS.join(', ')}`, '"formats": ["html", "pdf"]')
  }
  return [...new Set(list as Format[])]
}

function handout(c: ConfigChecker, v: Record<string, unknown> | undefined): DeckConfig['handout'] {
  if (!v) return undefined
  c.onlyKeys(v, HANDOUT_KEYS, 'handout.')
  const { paper, layout } = v
  const lower = typeof paper === 'string' ? paper.toLowerCase() : paper
  if (lower !== undefined && !(HANDOUT_PAPERS as readonly unknown[]).includes(lower)) {
    throw c.mustBe('handout.paper', `one of ${HANDOUT_PAPERS.map((p) => `"${p}"`).join(', ')}`, '"handout": { "paper": "a4" }')
  }
  if (layout !== undefined && !(HANDOUT_LAYOUTS as readonly unknown[]).includes(layout)) {
    throw c.mustBe('handout.layout', `one of ${HANDOUT_LAYOUTS.join(', ')} (slides a page)`, '"handout": { "layout": 3 }')
  }
  return {
    ...(lower !== undefined ? { paper: lower as HandoutPaper } : {}),
    ...(layout !== undefined ? { layout: layout as HandoutLayout } : {}),
  }
}

/** marp-cli's shape: `true` is pages and headings; in an object, a key left out is off. */
export function pdfOutlines(c: ConfigChecker, v: unknown, keyPath: string): PdfOutlines | undefined {
  if (v === undefined) return undefined
  if (typeof v === 'boolean') return { pages: v, headings: v }
  if (isObject(v)) {
    c.onlyKeys(v, ['pages', 'headings'], `${keyPath}.`)
    const pages = c.boolean(v, 'pages', `${keyPath}.`) ?? false
    const headings = c.boolean(v, 'headings', `${keyPath}.`) ?? false
    return { pages, headings }
  }
  throw c.mustBe(keyPath, 'true, false or { "pages": true, "headings": false }')
}

function math(c: ConfigChecker, v: unknown): boolean | 'mathjax' | 'katex' | undefined {
  if (v === undefined || typeof v === 'boolean' || v === 'mathjax' || v === 'katex') return v
  throw c.mustBe('math', 'true, false, "mathjax" or "katex"', '"math": "mathjax"')
}

/** The lint part keeps `parseLintConfig`'s rules and messages; the file is named by the location. */
function checkedLint(c: ConfigChecker, lint: Record<string, unknown>): LintConfig {
  try {
    return parseLintConfig(lint, c.file)
  } catch (e) {
    if (!isDeckError(e)) throw e
    const message = e.message.startsWith(`${CONFIG_FILE}: `) ? e.message.slice(CONFIG_FILE.length + 2) : e.message
    const rule = /rule "([\w-]+)"/.exec(message)?.[1]
    const key = /"(lint\.[\w.]+)"/.exec(message)?.[1] ?? (rule ? `lint.rules.${rule}` : 'lint')
    throw c.error(key, message, e.hint ?? '')
  }
}

function pptxMode(c: ConfigChecker, value: unknown): PptxMode | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string' && (PPTX_MODES as readonly string[]).includes(value)) return value as PptxMode
  throw c.mustBe('pptxMode', `one of ${PPTX_MODES.map((m) => `"${m}"`).join(', ')}`, '"pptxMode": "picture"')
}
