import path from 'node:path'
import { paperFromLocale, type Format, type HandoutLayout, type HandoutPaper, type PptxMode } from './options.js'
import { DeckError, ExitCode } from '../util/errors.js'
import type { LintConfig } from '../lint/config.js'
import type { CheckedConfig, ConfigDefaults, PdfOutlines } from './schema.js'

/** Every setting decided, with absolute paths and the units BuildOptions uses. */
export interface ResolvedConfig {
  root: string
  inputDir: string
  /** Decks or folders to build: the config's `decks`, else `inputDir`. Decks named on the command line replace these. */
  decks: string[]
  /** Output folder (the file's folder when `outFile` is set). */
  outDir: string
  /** The output file, when the output names one (`talk.pdf`): then there is one format, given by its extension. */
  outFile?: string
  formats: Format[]
  theme?: string
  themeSets: string[]
  html: boolean
  allowLocalFiles: boolean
  allowPrivateNetwork: boolean
  maxRemoteBytes: number
  fetchRemote: boolean
  remoteTimeoutMs: number
  /** Where a theme's web fonts are kept; unset: under the project's node_modules/.cache. */
  cacheDir?: string
  pdfNotes: boolean
  pdfOutlines: PdfOutlines
  /** The handout PDF: its paper (from the locale unless given) and slides a page. */
  handout: { paper: HandoutPaper; layout: HandoutLayout }
  imageScale: number
  pptxMode: PptxMode
  browserPath?: string
  browserTimeoutMs: number
  metadata: { title?: string; description?: string; author?: string; keywords?: string[]; url?: string; image?: string }
  /** Unset unless given: the HTML of a deck without `lang` then says `en`, and nothing else names a language. */
  lang?: string
  math: boolean | 'mathjax' | 'katex'
  /** `strictPort`: the port was asked for (flag or config), so a busy one is an error rather than the next free one. */
  watch: { port: number; host: string; open: boolean; strictPort: boolean }
  lint: LintConfig
}

/** Output file extensions and the format each one is. */
const FILE_FORMATS: Record<string, Format> = {
  '.html': 'html',
  '.htm': 'html',
  '.pdf': 'pdf',
  '.pptx': 'pptx',
  '.png': 'png',
  '.md': 'notes',
}

/**
 * The format an output file name gives: by its extension, a `.handout.pdf` being the handout;
 * a plain `.pdf` is the handout too when that is the one format asked for.
 */
function fileFormatOf(out: string, formats: Format[] | undefined): Format | undefined {
  const lower = out.toLowerCase()
  if (lower.endsWith('.handout.pdf')) return 'handout'
  const format = FILE_FORMATS[path.extname(lower)]
  return format === 'pdf' && formats?.length === 1 && formats[0] === 'handout' ? 'handout' : format
}

/**
 * One config over the defaults, one setting at a time. The config is what the file says with
 * the caller's options laid over it (see pipeline/settings.ts), its paths already absolute.
 * Throws a usage error for an output file whose extension disagrees with the formats.
 */
export function applyConfig(config: CheckedConfig, defaults: ConfigDefaults, root: string): ResolvedConfig {
  const inputDir = config.inputDir ?? path.resolve(root, defaults.inputDir)
  const out = config.out ?? path.resolve(root, defaults.out)
  const fileFormat = fileFormatOf(out, config.formats)
  const formats = config.formats ?? (fileFormat ? [fileFormat] : [...defaults.formats])
  if (fileFormat && (formats.length !== 1 || formats[0] !== fileFormat)) {
    throw new DeckError(
      `the output ${path.basename(out)} is a file name, which takes one format (${fileFormat}), but the formats are ${formats.join(', ')}`,
      {
        code: ExitCode.USAGE,
        hint: `Ask for ${fileFormat} only (--format ${fileFormat}), or give a folder as the output (-o dist).`,
      },
    )
  }
  const metadata = {
    ...def('title', config.title),
    ...def('description', config.description),
    ...def('author', config.author),
    ...def('keywords', config.keywords),
    ...def('url', config.url),
    ...def('image', config.image),
  }
  const lint = config.lint ?? defaults.lint
  return {
    root,
    inputDir,
    decks: config.decks ?? [inputDir],
    outDir: fileFormat ? path.dirname(out) : out,
    ...(fileFormat ? { outFile: out } : {}),
    formats,
    ...def('theme', config.theme),
    themeSets: config.themeSet ?? defaults.themeSet.map((p) => path.resolve(root, p)),
    html: config.html ?? defaults.html,
    allowLocalFiles: config.allowLocalFiles ?? defaults.allowLocalFiles,
    allowPrivateNetwork: config.allowPrivateNetwork ?? defaults.allowPrivateNetwork,
    maxRemoteBytes: Math.round((config.maxRemoteSize ?? defaults.maxRemoteSize) * 2 ** 20),
    fetchRemote: !(config.offline ?? defaults.offline),
    remoteTimeoutMs: config.remoteTimeout ?? defaults.remoteTimeout,
    ...def('cacheDir', config.cacheDir),
    pdfNotes: config.pdfNotes ?? defaults.pdfNotes,
    pdfOutlines: { ...(config.pdfOutlines ?? defaults.pdfOutlines) },
    handout: {
      paper: config.handout?.paper ?? defaults.handout.paper ?? paperFromLocale(),
      layout: config.handout?.layout ?? defaults.handout.layout,
    },
    imageScale: config.imageScale ?? defaults.imageScale,
    pptxMode: config.pptxMode ?? defaults.pptxMode,
    ...def('browserPath', config.browserPath),
    browserTimeoutMs: (config.browserTimeout ?? defaults.browserTimeout) * 1000,
    metadata,
    ...def('lang', config.lang),
    math: config.math ?? defaults.math,
    watch: {
      port: config.watch?.port ?? defaults.watch.port,
      host: config.watch?.host ?? defaults.watch.host,
      open: config.watch?.open ?? defaults.watch.open,
      strictPort: config.watch?.port !== undefined,
    },
    lint: { ...lint, rules: { ...lint.rules } },
  }
}

/** `{ key: value }` when the value is set, `{}` otherwise: optional keys stay absent rather than undefined. */
function def<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V })
}
