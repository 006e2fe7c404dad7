import {
  DEFAULTS,
  FORMATS,
  HANDOUT_LAYOUTS,
  parseFormats,
  parseHandoutLayout,
  parseHandoutPaper,
  parsePositiveNumber,
  PPTX_MODES,
  type Format,
  type PptxMode,
} from '../config/options.js'
import { PER_SLIDE_MS } from '../browser/step.js'
import type { DeckOptions } from '../pipeline/settings.js'
import { DeckError, ExitCode } from '../util/errors.js'
import type { FlagValues, Flags } from './command.js'
import { MARP_FORMAT_FLAGS, imagesFormat } from './marp-flags.js'

/** The flags of every command that builds (build, watch, lint), in the order the help lists them. */
export const BUILD_FLAGS = {
  out: {
    type: 'string',
    short: 'o',
    arg: '<path>',
    help: `Output folder, or a file (talk.pdf) for one deck and one format (default: ${DEFAULTS.outDir})`,
  },
  output: { type: 'string', arg: '<path>', help: 'Same as --out (marp-cli spelling)', hidden: true },
  format: {
    type: 'string',
    short: 'f',
    arg: '<list>',
    help: `Comma-separated: ${FORMATS.join(',')} (default: ${DEFAULTS.formats.join(',')})`,
  },
  'input-dir': {
    type: 'string',
    short: 'I',
    arg: '<dir>',
    help: 'Folder of the decks; outputs keep their layout under it (default: slides)',
  },
  theme: { type: 'string', arg: '<name|css>', help: 'Theme of decks whose front matter names none: a theme name or a CSS file' },
  'theme-set': {
    type: 'string',
    multiple: true,
    arg: '<path>',
    help: 'Extra theme CSS file or folder; repeatable (css/ is always loaded)',
  },
  'config-file': {
    type: 'string',
    short: 'c',
    arg: '<file>',
    help: 'Read this config (deck.config.* or a marp-cli config) instead of looking for one',
  },
  config: { type: 'string', arg: '<file>', help: 'Same as --config-file (marp-cli spelling)', hidden: true },
  'no-config-file': { type: 'boolean', help: 'Read no config file: flags and defaults only' },
  'no-config': { type: 'boolean', help: 'Same as --no-config-file (marp-cli spelling)', hidden: true },
  html: { type: 'boolean', help: 'Allow raw HTML in Markdown (as marp-cli --html)' },
  'pdf-notes': { type: 'boolean', help: 'Add speaker notes to the PDF as annotations' },
  'pdf-outlines': { type: 'boolean', help: 'PDF bookmarks for pages and headings (default: pages only)' },
  'handout-paper': {
    type: 'string',
    arg: '<a4|letter>',
    help: 'Paper of the handout PDF (default: from the locale: letter for en_US, en_CA, es_MX…, else a4)',
  },
  'handout-layout': {
    type: 'string',
    arg: '<n>',
    help: `Slides a handout page: ${HANDOUT_LAYOUTS.join(', ')} (default: ${DEFAULTS.handoutLayout}, the slide with its notes under it; 3: lines to write on)`,
  },
  'image-scale': { type: 'string', arg: '<n>', help: `Scale of PNG output (default: ${DEFAULTS.imageScale}; PPTX pictures are 2x)` },
  'pptx-mode': {
    type: 'string',
    arg: '<mode>',
    help: `PPTX: ${PPTX_MODES.join(' or ')} (default: ${DEFAULTS.pptxMode}: text, shapes and tables; picture: one picture per slide)`,
  },
  title: { type: 'string', arg: '<text>', help: 'Title of decks whose front matter has none (default: the first heading)' },
  description: { type: 'string', arg: '<text>', help: 'Description (HTML meta, PDF Subject) of decks whose front matter has none' },
  author: { type: 'string', arg: '<name>', help: 'Author (HTML, PDF, PPTX) of decks whose front matter has none' },
  keywords: { type: 'string', arg: '<list>', help: 'Comma-separated keywords (HTML, PDF, PPTX)' },
  url: { type: 'string', arg: '<url>', help: 'Canonical URL of the HTML deck' },
  'og-image': { type: 'string', arg: '<url|file>', help: 'Open Graph image of the HTML deck' },
  offline: { type: 'boolean', help: 'Do not fetch remote images; warn about them instead' },
  'remote-timeout': { type: 'string', arg: '<ms>', help: `Longest wait for one remote image (default: ${DEFAULTS.remoteTimeoutMs})` },
  'max-remote-size': { type: 'string', arg: '<MB>', help: `Largest remote image embedded (default: ${DEFAULTS.maxRemoteMb})` },
  'allow-local-files': {
    type: 'boolean',
    help: 'Embed local files from outside the project (never /proc, /sys, /dev); only for decks you trust',
  },
  'allow-private-network': {
    type: 'boolean',
    help: 'Fetch URLs on this machine or a private network (127/8, 10/8, 169.254/16, …); only for decks you trust',
  },
  'browser-path': { type: 'string', arg: '<path>', help: 'Chrome/Chromium/Edge executable (default: CHROME_PATH, then the usual paths)' },
  'browser-timeout': {
    type: 'string',
    arg: '<s>',
    help: `Timeout of one browser operation in seconds (default: ${DEFAULTS.browserTimeoutMs / 1000}); loading, printing and checking a deck get ${PER_SLIDE_MS} ms more per slide`,
  },
  ...MARP_FORMAT_FLAGS,
} as const satisfies Flags

/** The flags of every command, build or not. */
export const GLOBAL_FLAGS = {
  quiet: { type: 'boolean', short: 'q', help: 'Print only warnings and errors' },
  help: { type: 'boolean', short: 'h', help: 'Show the help (of the command, after one)' },
  version: { type: 'boolean', short: 'v', help: 'Show the version' },
} as const satisfies Flags

const usage = (message: string, hint: string): DeckError => new DeckError(message, { code: ExitCode.USAGE, hint })

/** One of two spellings of a flag (`--out`, marp-cli's `--output`); both at once is a usage error. */
function either(values: FlagValues, name: string, other: string): string | undefined {
  const a = values[name]
  const b = values[other]
  if (typeof a === 'string' && typeof b === 'string')
    throw usage(`--${name} and --${other} are the same option, given twice`, `Keep one: --${name} ${a}.`)
  return typeof a === 'string' ? a : typeof b === 'string' ? b : undefined
}

/**
 * The formats the flags ask for: --format's list, and marp-cli's --pdf, --pptx and --images png
 * added to it (each alone means that format only, as in marp-cli). Undefined when none is given.
 */
export function formatsFromFlags(values: FlagValues): Format[] | undefined {
  const listed = typeof values['format'] === 'string' ? parseFormats(values['format']) : []
  const marp: Format[] = []
  if (values['pdf'] === true) marp.push('pdf')
  if (values['pptx'] === true) marp.push('pptx')
  for (const name of ['images', 'image'] as const) {
    const value = values[name]
    if (typeof value === 'string') marp.push(imagesFormat(name, value))
  }
  if (!listed.length && !marp.length) return undefined
  return [...new Set([...listed, ...marp])]
}

/** --config-file, --no-config-file and their marp-cli spellings, as the API's `configFile`. */
function configFile(values: FlagValues): string | false | undefined {
  const file = either(values, 'config-file', 'config')
  const none = values['no-config-file'] === true || values['no-config'] === true
  if (file !== undefined && none)
    throw usage(
      '--config-file and --no-config-file contradict each other',
      `Keep --config-file ${file} to read it, or --no-config-file to read none.`,
    )
  return none ? false : file
}

/**
 * The flags every building command shares, as API options: names as in the config file, values
 * typed. A flag that is not given stays unset, so the config file (then the default) decides.
 */
export function optionsFromFlags(values: FlagValues, inputs: readonly string[], cwd: string): DeckOptions {
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined)
  const flag = (name: string): boolean | undefined => (values[name] === true ? true : undefined)
  const number = (name: string): number | undefined => {
    const v = text(name)
    return v === undefined ? undefined : parsePositiveNumber(`--${name}`, v, 0)
  }
  const formats = formatsFromFlags(values)
  const themeSet = values['theme-set']
  const out = either(values, 'out', 'output')
  const config = configFile(values)
  const paper = text('handout-paper')
  const layout = text('handout-layout')
  const handout = {
    ...(paper !== undefined ? { paper: parseHandoutPaper(paper) } : {}),
    ...(layout !== undefined ? { layout: parseHandoutLayout(layout) } : {}),
  }
  const url = text('url')
  if (url !== undefined && !URL.canParse(url))
    throw usage(`--url must be an absolute URL, not "${url}"`, 'For example --url https://example.com/talk/.')
  const given: DeckOptions = {
    ...(inputs.length ? { decks: [...inputs] } : {}),
    out,
    formats,
    inputDir: text('input-dir'),
    theme: text('theme'),
    ...(Array.isArray(themeSet) && themeSet.length ? { themeSet: themeSet.map(String) } : {}),
    configFile: config,
    html: flag('html'),
    pdfNotes: flag('pdf-notes'),
    pdfOutlines: flag('pdf-outlines'),
    ...(paper !== undefined || layout !== undefined ? { handout } : {}),
    imageScale: number('image-scale'),
    pptxMode: pptxMode(text('pptx-mode')),
    title: text('title'),
    description: text('description'),
    author: text('author'),
    keywords: text('keywords'),
    url,
    image: text('og-image'),
    offline: flag('offline'),
    remoteTimeout: number('remote-timeout'),
    allowLocalFiles: flag('allow-local-files'),
    allowPrivateNetwork: flag('allow-private-network'),
    maxRemoteSize: number('max-remote-size'),
    browserPath: text('browser-path'),
    browserTimeout: number('browser-timeout'),
  }
  // Unset flags are left out, so that the options read as what the command line said.
  const options: DeckOptions = { cwd }
  for (const [key, value] of Object.entries(given)) if (value !== undefined) (options as Record<string, unknown>)[key] = value
  return options
}

function pptxMode(value: string | undefined): PptxMode | undefined {
  if (value === undefined) return undefined
  if ((PPTX_MODES as readonly string[]).includes(value)) return value as PptxMode
  throw usage(
    `--pptx-mode must be ${PPTX_MODES.join(' or ')}, not "${value}"`,
    'For example --pptx-mode picture for one picture per slide.',
  )
}
