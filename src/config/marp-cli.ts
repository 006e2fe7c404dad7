import path from 'node:path'
import type { Format } from './options.js'
import { ConfigChecker, isObject, suggestKey, type ConfigWarning, type LineOf, type Raw } from './check.js'
import { pdfOutlines, type CheckedConfig } from './schema.js'

/*
 * marp-cli's config (`.marprc*`, `marp.config.*`, `"marp"` in package.json) read as a deck config,
 * for repos that already have one. Key names and meanings follow marp-cli 4.5's `src/config.ts`
 * (`IMarpCLIConfig` in node_modules/@marp-team/marp-cli/types/src/config.d.ts). Each key with a
 * meaning here is mapped; each other key gives one warning naming it, and nothing fails on it.
 *
 * Output type: marp-cli writes one type per run (pdf, then pptx, then images, then the output's
 * extension, else HTML). Here every type the config names is written; a config that names none
 * keeps deck's default formats (html, pdf, pptx), where marp-cli would write HTML only.
 */

/** Keys of marp-cli's config that deck does not honour: what deck does instead, and what to do. */
const KEEP = 'Remove it, or keep it for marp-cli; deck reads the other keys.'
const IGNORED: Record<string, { why: string; hint: string }> = {
  engine: { why: 'deck renders with marp-core 5 and shiki; a custom engine and its plugins are not loaded', hint: KEEP },
  template: { why: 'the HTML deck always uses the bespoke template (keyboard navigation, presenter view)', hint: KEEP },
  bespoke: { why: "the HTML deck's viewer runs with its defaults", hint: KEEP },
  browser: { why: 'deck finds Chrome, Chromium or Edge itself', hint: 'Set "browserPath" (or CHROME_PATH) to pick one.' },
  browserProtocol: { why: 'deck drives the browser over the DevTools protocol (CDP) only', hint: KEEP },
  baseUrl: { why: 'deck writes no <base> element; relative links resolve from the HTML file', hint: KEEP },
  jpegQuality: { why: 'deck writes no JPEG', hint: 'PNG output ("images": "png") is lossless.' },
  parallel: { why: 'deck builds two decks at a time', hint: KEEP },
  pptxEditable: {
    why: "deck's PPTX is editable already (its pptxMode)",
    hint: 'Set "pptxMode": "picture" in deck.config.json for one picture per slide.',
  },
  notes: {
    why: 'deck writes the notes as Markdown, not .txt',
    hint: 'Build with --format notes (<deck>.notes.md, a section per slide) or --format handout (a PDF of the slides with their notes).',
  },
  server: { why: '`deck build` builds once', hint: 'Run `deck watch` for a live preview server.' },
  watch: { why: '`deck build` builds once', hint: 'Run `deck watch` to rebuild on every save.' },
  preview: { why: 'deck has no preview window', hint: 'Run `deck watch`; it opens the live preview in your browser.' },
}

/** Every key marp-cli reads, for the "did you mean" of keys that are none of them. */
const MARP_KEYS = [
  'allowLocalFiles',
  'author',
  'baseUrl',
  'bespoke',
  'browser',
  'browserPath',
  'browserProtocol',
  'browserTimeout',
  'description',
  'engine',
  'html',
  'image',
  'images',
  'imageScale',
  'inputDir',
  'jpegQuality',
  'keywords',
  'lang',
  'notes',
  'ogImage',
  'options',
  'output',
  'parallel',
  'pdf',
  'pdfNotes',
  'pdfOutlines',
  'pptx',
  'pptxEditable',
  'preview',
  'server',
  'template',
  'theme',
  'themeSet',
  'title',
  'url',
  'watch',
]

/** Output file extensions marp-cli reads a type from, and the format deck writes for it. */
const OUTPUT_TYPES: Record<string, Format | undefined> = {
  '.html': 'html',
  '.htm': 'html',
  '.pdf': 'pdf',
  '.pptx': 'pptx',
  '.png': 'png',
  '.jpg': undefined,
  '.jpeg': undefined,
  '.txt': undefined,
}

export interface MarpMapping {
  config: CheckedConfig
  warnings: ConfigWarning[]
}

/** Map marp-cli's config to a deck config; paths stay relative to the config file (load.ts resolves them). */
export function mapMarpConfig(value: unknown, file: string, lineOf?: LineOf): MarpMapping {
  const c = new ConfigChecker(file, lineOf)
  if (!isObject(value))
    throw c.error('', `${c.name} must hold an object of marp-cli settings`, 'For example { "inputDir": "slides", "html": true }.')
  const out: CheckedConfig = {}
  const warnings: ConfigWarning[] = []
  const ignore = (key: string, why: string, hint: string) =>
    warnings.push(c.warning(key, `marp-cli option "${key}" is not honoured: ${why.replace(/\.$/, '')}`, hint))
  const set = <K extends keyof CheckedConfig>(key: K, v: CheckedConfig[K] | undefined): void => {
    if (v !== undefined) out[key] = v
  }

  for (const key of ['inputDir', 'theme', 'browserPath', 'title', 'description', 'author', 'lang'] as const) set(key, c.string(value, key))
  set('url', c.url(value, 'url'))
  for (const key of ['allowLocalFiles', 'pdfNotes'] as const) set(key, c.boolean(value, key))
  set('themeSet', c.strings(value, 'themeSet'))
  set('keywords', c.keywords(value, 'keywords'))
  set('image', c.string(value, 'ogImage'))
  set('imageScale', c.positive(value, 'imageScale', 'a factor'))
  set('browserTimeout', c.positive(value, 'browserTimeout', 'seconds'))
  set('pdfOutlines', pdfOutlines(c, value['pdfOutlines'], 'pdfOutlines'))

  const html = value['html']
  if (typeof html === 'boolean') out.html = html
  else if (isObject(html))
    ignore(
      'html',
      "an allowlist of tags is not supported, so Marp's default allowlist applies.",
      'Set "html": true to allow all HTML, or remove the key.',
    )
  else if (html !== undefined) throw c.mustBe('html', 'true, false or an allowlist object')

  // Output types, in marp-cli's keys.
  const formats: Format[] = []
  if (c.boolean(value, 'pdf')) formats.push('pdf')
  if (c.boolean(value, 'pptx')) formats.push('pptx')
  for (const key of ['images', 'image'] as const) {
    const kind = c.string(value, key)?.toLowerCase()
    if (kind === undefined) continue
    if (kind === 'png') {
      formats.push('png')
      if (key === 'image')
        warnings.push(
          c.warning(
            key,
            'marp-cli option "image" writes the first slide only; deck writes every slide as PNG (talk.001.png, …)',
            'Use "images": "png", which means the same here.',
          ),
        )
    } else if (kind === 'jpeg' || kind === 'jpg') {
      ignore(key, 'deck writes no JPEG.', `Use "${key}": "png".`)
    } else {
      throw c.mustBe(key, '"png" or "jpeg"')
    }
  }
  const output = value['output']
  if (output === '-' || output === false) {
    ignore(
      'output',
      output === false ? 'deck always writes files.' : 'deck writes files, not standard output.',
      'Set "output" to a folder, or to a file name when one deck is built to one format.',
    )
  } else {
    const target = c.string(value, 'output')
    const ext = target === undefined ? '' : path.extname(target).toLowerCase()
    if (target !== undefined && ext in OUTPUT_TYPES && OUTPUT_TYPES[ext] === undefined) {
      ignore('output', `deck writes no ${ext} file.`, 'Name a folder, or a .html, .pdf, .pptx or .png file.')
    } else if (target !== undefined) {
      out.out = target
      const typed = OUTPUT_TYPES[ext]
      if (typed && !formats.length) formats.push(typed)
    }
  }
  if (formats.length) out.formats = [...new Set(formats)]

  const options = c.object(value, 'options')
  if (options) {
    for (const [key, v] of Object.entries(options)) {
      if (key === 'math') set('math', marpMath(c, v))
      else
        ignore(
          `options.${key}`,
          'marp-core options other than math are not passed to the engine.',
          'Remove it; deck sets the engine up itself.',
        )
    }
  }

  for (const [key, v] of Object.entries(value)) {
    if (key in IGNORED) {
      const { why, hint } = IGNORED[key]!
      if (v !== false && v !== undefined) ignore(key, why, hint)
    } else if (!MARP_KEYS.includes(key)) {
      const near = suggestKey(key, MARP_KEYS)
      warnings.push(
        c.warning(
          key,
          `"${key}" is not a marp-cli option, so it is ignored`,
          near ? `Did you mean "${near}"?` : `marp-cli options are ${MARP_KEYS.join(', ')}.`,
        ),
      )
    }
  }
  return { config: out, warnings }
}

/** `options.math`: a library name, a boolean, or marp-core's `{ lib }` object. */
function marpMath(c: ConfigChecker, v: unknown): boolean | 'mathjax' | 'katex' | undefined {
  const lib = isObject(v) ? (v as Raw)['lib'] : v
  if (typeof lib === 'boolean' || lib === 'katex' || lib === 'mathjax') return lib
  if (lib === undefined) return true
  throw c.mustBe('options.math', 'true, false, "katex" or "mathjax"')
}
