import path from 'node:path'
import { parseFormats, parsePositiveNumber, type CliBuildValues, type Format } from './options.js'
import { DeckError, ExitCode } from '../util/errors.js'
import type { LintConfig } from '../lint/config.js'
import type { CheckedConfig, ConfigDefaults, PdfOutlines } from './schema.js'

/** The parsed CLI values applyConfig reads: the build flags, marp-cli's habits, watch's and lint's. */
export interface ConfigFlags extends CliBuildValues {
  'input-dir'?: string
  theme?: string
  'pdf-outlines'?: boolean
  title?: string
  description?: string
  author?: string
  /** Comma-separated. */
  keywords?: string
  url?: string
  'og-image'?: string
  port?: string
  host?: string
  'no-open'?: boolean
  strict?: boolean
}

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
  pdfNotes: boolean
  pdfOutlines: PdfOutlines
  imageScale: number
  browserPath?: string
  browserTimeoutMs: number
  metadata: { title?: string; description?: string; author?: string; keywords?: string[]; url?: string; image?: string }
  lang: string
  math: boolean
  /** `strictPort`: the port was asked for (flag or config), so a busy one is an error rather than the next free one. */
  watch: { port: number; host: string; open: boolean; strictPort: boolean }
  lint: LintConfig
}

/** Output file extensions and the format each one is. */
const FILE_FORMATS: Record<string, Format> = { '.html': 'html', '.htm': 'html', '.pdf': 'pdf', '.pptx': 'pptx', '.png': 'png' }

export interface ApplyContext {
  /** The project root; relative paths in flags resolve from here unless `flagBase` says otherwise. */
  root: string
  flagBase?: string
}

/**
 * Flags over config over defaults, one setting at a time. `config` has absolute paths already
 * (loadConfig); `defaults` are relative to the root. Throws a usage error for a bad flag value,
 * or for an output file whose extension disagrees with the formats.
 */
export function applyConfig(config: CheckedConfig, flags: ConfigFlags, defaults: ConfigDefaults, { root, flagBase = root }: ApplyContext): ResolvedConfig {
  const fromFlag = (p: string | undefined) => (p === undefined || p === '' ? undefined : path.resolve(flagBase, p))
  const pick = <T>(flag: T | undefined, conf: T | undefined, fallback: T): T => flag ?? conf ?? fallback
  const number = (flag: string, value: string | undefined, conf: number | undefined, fallback: number) =>
    value === undefined ? (conf ?? fallback) : parsePositiveNumber(flag, value, fallback)

  const inputDir = fromFlag(flags['input-dir']) ?? config.inputDir ?? path.resolve(root, defaults.inputDir)
  const out = fromFlag(flags.out) ?? config.out ?? path.resolve(root, defaults.out)
  const fileFormat = FILE_FORMATS[path.extname(out).toLowerCase()]
  const formats = flags.format !== undefined ? parseFormats(flags.format) : (config.formats ?? (fileFormat ? [fileFormat] : [...defaults.formats]))
  if (fileFormat && (formats.length !== 1 || formats[0] !== fileFormat)) {
    throw new DeckError(`the output ${path.basename(out)} is a file name, which takes one format (${fileFormat}), but the formats are ${formats.join(', ')}`, {
      code: ExitCode.USAGE,
      hint: `Ask for ${fileFormat} only (--format ${fileFormat}), or give a folder as the output (-o dist).`,
    })
  }
  const theme = flags.theme === undefined ? config.theme : /\.css$/i.test(flags.theme) ? fromFlag(flags.theme) : flags.theme
  const flagSets = flags['theme-set']?.map((p) => path.resolve(flagBase, p))
  const browserPath = fromFlag(flags['browser-path']) ?? config.browserPath
  const keywords = flags.keywords?.split(',').map((s) => s.trim()).filter(Boolean) ?? config.keywords
  const image = flags['og-image'] ?? config.image
  const metadata = {
    ...def('title', flags.title ?? config.title),
    ...def('description', flags.description ?? config.description),
    ...def('author', flags.author ?? config.author),
    ...def('keywords', keywords),
    ...def('url', flags.url ?? config.url),
    ...def('image', image),
  }
  const lint = config.lint ?? defaults.lint
  const portFlag = flags.port
  const port = portFlag === undefined ? (config.watch?.port ?? defaults.watch.port) : portFlag === '0' ? 0 : parsePositiveNumber('--port', portFlag, defaults.watch.port)

  return {
    root,
    inputDir,
    decks: flags['input-dir'] === undefined ? (config.decks ?? [inputDir]) : [inputDir],
    outDir: fileFormat ? path.dirname(out) : out,
    ...(fileFormat ? { outFile: out } : {}),
    formats,
    ...def('theme', theme),
    themeSets: flagSets ?? config.themeSet ?? defaults.themeSet.map((p) => path.resolve(root, p)),
    html: pick(flags.html, config.html, defaults.html),
    allowLocalFiles: pick(flags['allow-local-files'], config.allowLocalFiles, defaults.allowLocalFiles),
    allowPrivateNetwork: pick(flags['allow-private-network'], config.allowPrivateNetwork, defaults.allowPrivateNetwork),
    maxRemoteBytes: Math.round(number('--max-remote-size', flags['max-remote-size'], config.maxRemoteSize, defaults.maxRemoteSize) * 2 ** 20),
    fetchRemote: !pick(flags.offline, config.offline, defaults.offline),
    remoteTimeoutMs: number('--remote-timeout', flags['remote-timeout'], config.remoteTimeout, defaults.remoteTimeout),
    pdfNotes: pick(flags['pdf-notes'], config.pdfNotes, defaults.pdfNotes),
    pdfOutlines: flags['pdf-outlines'] ? { pages: true, headings: true } : { ...(config.pdfOutlines ?? defaults.pdfOutlines) },
    imageScale: number('--image-scale', flags['image-scale'], config.imageScale, defaults.imageScale),
    ...def('browserPath', browserPath),
    browserTimeoutMs: number('--browser-timeout', flags['browser-timeout'], config.browserTimeout, defaults.browserTimeout) * 1000,
    metadata,
    lang: config.lang ?? defaults.lang,
    math: config.math ?? defaults.math,
    watch: {
      port,
      host: flags.host ?? config.watch?.host ?? defaults.watch.host,
      open: flags['no-open'] ? false : (config.watch?.open ?? defaults.watch.open),
      strictPort: portFlag !== undefined || config.watch?.port !== undefined,
    },
    lint: { ...lint, rules: { ...lint.rules }, strict: flags.strict ?? lint.strict },
  }
}

/** `{ key: value }` when the value is set, `{}` otherwise: optional keys stay absent rather than undefined. */
function def<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V })
}
