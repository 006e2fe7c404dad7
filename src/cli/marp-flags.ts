import type { Format } from '../config/options.js'
import { DeckError, ExitCode } from '../util/errors.js'
import type { Flags } from './command.js'

/*
 * marp-cli's flags that people type by habit (marp-cli 4.5, `marp --help`). Those with a meaning
 * here are parsed: the output types below, and in options.ts --output, --config, --no-config,
 * -I, --theme, --title … with the same names. Each other one is answered with what to run instead,
 * or why it has no counterpart, and exits 2 before anything runs.
 */

/** marp-cli's output-type flags; each adds its format to --format's list. */
export const MARP_FORMAT_FLAGS = {
  pdf: { type: 'boolean', help: 'Same as --format pdf (marp-cli)', hidden: true },
  pptx: { type: 'boolean', help: 'Same as --format pptx (marp-cli)', hidden: true },
  images: { type: 'string', arg: '<png>', help: 'Same as --format png (marp-cli)', hidden: true },
  image: { type: 'string', arg: '<png>', help: 'Same as --format png: every slide, not the first only (marp-cli)', hidden: true },
} as const satisfies Flags

/** The format of marp-cli's `--images <type>`: PNG only. */
export function imagesFormat(flag: 'images' | 'image', value: string): Format {
  if (value.toLowerCase() === 'png') return 'png'
  const jpeg = /^jpe?g$/i.test(value)
  throw new DeckError(jpeg ? `deck writes PNG pictures, not JPEG (--${flag} ${value})` : `--${flag} takes png, not "${value}"`, {
    code: ExitCode.USAGE,
    hint: `Use --${flag} png (or --format png): one PNG per slide, lossless.`,
  })
}

/** How the flag is answered: the message, and the hint (given the command line without the flag). */
interface Answer {
  type: 'string' | 'boolean'
  short?: string
  message: string
  hint: (rest: string) => string
}

const watchHint = (what: string) => (rest: string) => `Run \`deck watch${rest}\`: ${what}.`
const keep = 'Leave the flag out; the rest of the command works as it is.'

export const MARP_ANSWERS: Record<string, Answer> = {
  watch: {
    type: 'boolean',
    short: 'w',
    message: 'deck has a watch command rather than a --watch flag',
    hint: watchHint('it builds HTML on each save and serves a live preview'),
  },
  server: {
    type: 'boolean',
    short: 's',
    message: 'deck has a watch command rather than a --server flag',
    hint: watchHint('it serves every deck as a live preview (--host 0.0.0.0 to share it on the LAN)'),
  },
  preview: {
    type: 'boolean',
    short: 'p',
    message: 'deck has no preview window; its watch command opens a live preview in your browser',
    hint: watchHint('it builds HTML on each save and opens the preview'),
  },
  notes: {
    type: 'boolean',
    message: 'deck writes no .txt of the speaker notes (marp-cli --notes): it writes them as Markdown',
    hint: () =>
      'Use --format notes (talk.notes.md, a section per slide) or --format handout (a PDF of the slides with their notes); --pdf-notes puts them in the PDF as annotations.',
  },
  engine: {
    type: 'string',
    message: 'a custom engine is not supported here: decks render with marp-core 5 and shiki, which the checks rely on',
    hint: () => keep,
  },
  template: {
    type: 'string',
    message: "--template is not supported here: the HTML deck always uses marp-cli's bespoke template",
    hint: () => keep,
  },
  'bespoke.osc': {
    type: 'boolean',
    message: "--bespoke.osc is not supported here: the HTML deck's viewer runs with its defaults",
    hint: () => keep,
  },
  'bespoke.progress': {
    type: 'boolean',
    message: "--bespoke.progress is not supported here: the HTML deck's viewer runs with its defaults",
    hint: () => keep,
  },
  'bespoke.transition': {
    type: 'boolean',
    message: "--bespoke.transition is not supported here: the HTML deck's viewer runs with its defaults",
    hint: () => keep,
  },
  'pdf-outlines.pages': {
    type: 'boolean',
    message: '--pdf-outlines.pages is not a flag here',
    hint: () => '--pdf-outlines bookmarks pages and headings; for pages only, leave it out (the default).',
  },
  'pdf-outlines.headings': {
    type: 'boolean',
    message: '--pdf-outlines.headings is not a flag here',
    hint: () =>
      '--pdf-outlines bookmarks pages and headings; for headings only set "pdfOutlines": { "pages": false, "headings": true } in deck.config.json.',
  },
  'pptx-editable': {
    type: 'boolean',
    message: "--pptx-editable is not a flag here: deck's PPTX is editable already, made without LibreOffice",
    hint: () => 'Leave the flag out; --pptx-mode picture gives one picture per slide instead.',
  },
  'jpeg-quality': {
    type: 'string',
    message: 'deck writes no JPEG',
    hint: () => 'PNG output (--format png) is lossless; leave the flag out.',
  },
  parallel: {
    type: 'string',
    short: 'P',
    message: 'deck builds two decks at a time in one browser; --parallel is not a flag here',
    hint: () => keep,
  },
  'no-parallel': {
    type: 'boolean',
    message: 'deck builds two decks at a time in one browser; --no-parallel is not a flag here',
    hint: () => keep,
  },
  browser: {
    type: 'string',
    message: 'deck finds Chrome, Chromium or Edge itself; --browser is not a flag here',
    hint: () => 'Use --browser-path <executable> (or CHROME_PATH) to pick one.',
  },
  'browser-protocol': { type: 'string', message: 'deck drives the browser over the DevTools protocol (CDP) only', hint: () => keep },
  stdin: {
    type: 'boolean',
    message: 'deck reads decks from files, not from stdin',
    hint: () => 'Save the Markdown to a file and name it: deck build talk.md.',
  },
  debug: {
    type: 'boolean',
    short: 'd',
    message: 'deck has no --debug flag',
    hint: () => 'Set DEBUG=deck:* for the internals, e.g. DEBUG=deck:* deck build.',
  },
}

/** The answered flags as parser entries, so that their values are read as values. */
export const MARP_ANSWER_FLAGS: Flags = Object.fromEntries(
  Object.entries(MARP_ANSWERS).map(([name, a]) => [
    name,
    { type: a.type, ...(a.short ? { short: a.short } : {}), help: a.message, hidden: true },
  ]),
)

/** The usage error for one of marp-cli's flags that deck answers; `rest` is the command line without it. */
export function marpAnswer(name: string, rest: string): DeckError | undefined {
  const a = MARP_ANSWERS[name]
  if (!a) return undefined
  const hint = a.hint(rest ? ` ${rest}` : '')
  return new DeckError(a.message, { code: ExitCode.USAGE, hint })
}
