import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { DeckError } from '../util/errors.js'
import { writeFileAtomic } from '../util/atomic-write.js'
import { escapeHtml } from '../util/html-text.js'
import type { RenderedDeck } from '../render/render.js'
import { BUILTIN_TRANSITIONS, builtinTransitionsOf } from '../render/transitions.js'

/*
 * The interactive HTML deck: marp-cli's bespoke viewer (keyboard navigation, presenter view with
 * notes, overview, slide number in the URL) around the slides of our one render. marp-cli's
 * template is not public API, so we take the viewer's parts (its stylesheet, the on-screen
 * controls and its script) from one conversion of a stub deck per process, and put our slides,
 * CSS and notes between them. A save in watch mode then costs a string join, not a second
 * render. The output is self-contained: fonts, images and emoji are already inlined.
 *
 * marp-cli's built-in slide transitions are keyframes it writes into the HTML of a deck that
 * uses them; the stub deck uses every one, and each transition's keyframes are kept apart, so a
 * deck's HTML carries only those its slides ask for (render/transitions.ts).
 *
 * The extracted parts are cached on disk per marp-cli version (node_modules/.cache), since
 * loading marp-cli and converting the stub take CPU time; a one-shot build without the cache
 * pays it while Chromium prints.
 */

export interface BespokeShell {
  css: string
  controls: string
  script: string
  /** Keyframes CSS of each built-in transition, by name. */
  transitions: Record<string, string>
}

const STUB = [
  '---\nmarp: true\n---\n\n# Stub\n\n<!-- note -->\n',
  ...BUILTIN_TRANSITIONS.map((name) => `\n---\n\n<!-- _transition: ${name} -->\n`),
].join('')

const BUILTIN_KEYFRAMES = /@keyframes\s+marp-(?:(?:incoming|outgoing)-)?transition-(?:backward-)?__builtin__([\w-]+)\s*\{/g

/** The keyframes of each built-in transition in marp-cli's transition style, by name (brace-balanced blocks). */
function splitTransitions(css: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of css.matchAll(BUILTIN_KEYFRAMES)) {
    let depth = 0
    let end = m.index
    for (let i = m.index + m[0].length - 1; i < css.length; i += 1) {
      if (css[i] === '{') depth += 1
      else if (css[i] === '}' && --depth === 0) {
        end = i + 1
        break
      }
    }
    out[m[1]!] = (out[m[1]!] ?? '') + css.slice(m.index, end)
  }
  return out
}

function extract(html: string): BespokeShell {
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!)
  const css = styles.find((s) => s.includes('bespoke-marp-'))
  const transitions = splitTransitions(styles.find((s) => s.includes('__builtin__')) ?? '')
  const controls = /<div class="bespoke-marp-osc">[\s\S]*?<\/div>/.exec(html)?.[0]
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!)
  const script = scripts[scripts.length - 1]
  if (!css || !controls || !script?.includes('bespoke') || BUILTIN_TRANSITIONS.some((name) => !transitions[name])) {
    throw new DeckError("marp-cli's HTML template has changed; the viewer could not be extracted", {
      hint: 'Pin @marp-team/marp-cli to the version in package-lock.json (4.5.1).',
    })
  }
  // bespoke.js carries a licence comment with an unpkg URL; it loads nothing, but a file that
  // must work offline should not even mention a CDN.
  const offline = script.replace(
    /\/\*!+\s*(?:For license information please see|License:)\s*https?:\/\/[^\s*]+\s*\*\//g,
    '/*! Licence: node_modules/@marp-team/marp-cli/lib/bespoke.js.LICENSE.txt */',
  )
  return { css, controls, script: offline, transitions }
}

// marp-cli logs through console.warn/console.error; they are captured for the one conversion.
async function convertStub(): Promise<string> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'deck-shell-'))
  const log: string[] = []
  const { warn, error } = console
  try {
    const input = path.join(tmp, 'stub.md')
    const output = path.join(tmp, 'stub.html')
    await writeFile(input, STUB)
    const { marpCli } = await import('@marp-team/marp-cli')
    console.warn = (...args: unknown[]) => void log.push(args.map(String).join(' '))
    console.error = console.warn
    const code = await marpCli([input, '--no-config-file', '--template', 'bespoke', '-o', output])
    console.warn = warn
    console.error = error
    // eslint-disable-next-line no-control-regex -- marp-cli colours its log with ANSI escapes (ESC is a control character)
    if (code !== 0) throw new DeckError(`marp-cli could not build the HTML viewer: ${log.join(' ').replace(/\u001b\[[0-9;]*m/g, '')}`)
    return await readFile(output, 'utf8')
  } finally {
    console.warn = warn
    console.error = error
    await rm(tmp, { recursive: true, force: true })
  }
}

const require = createRequire(import.meta.url)

/** node_modules/.cache/marp-deck-pipeline/viewer-<marp-cli version>.json */
function cacheFile(): string {
  const pkgFile = require.resolve('@marp-team/marp-cli/package.json')
  const { version } = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string }
  const nodeModules = path.dirname(path.dirname(path.dirname(pkgFile)))
  return path.join(nodeModules, '.cache', 'marp-deck-pipeline', `viewer-${version}.json`)
}

const isShell = (x: unknown): x is BespokeShell =>
  typeof x === 'object' &&
  x !== null &&
  ['css', 'controls', 'script'].every((k) => typeof (x as Record<string, unknown>)[k] === 'string') &&
  typeof (x as Record<string, unknown>)['transitions'] === 'object'

async function loadShell(): Promise<BespokeShell> {
  const file = cacheFile()
  try {
    const cached: unknown = JSON.parse(await readFile(file, 'utf8'))
    if (isShell(cached)) return cached
  } catch {
    // No cache yet (or a damaged one): extract below.
  }
  const fresh = extract(await convertStub())
  // A read-only node_modules only costs the next process the extraction again.
  await writeFileAtomic(file, JSON.stringify(fresh)).catch(() => undefined)
  return fresh
}

let shell: Promise<BespokeShell> | undefined

export function bespokeShell(): Promise<BespokeShell> {
  shell ??= loadShell()
  shell.catch(() => {
    shell = undefined
  })
  return shell
}

/**
 * The head's metadata: the tags marp-cli's template writes for the same keys (title, author,
 * description, keywords, canonical URL, Open Graph), each only when the deck has its value.
 */
export function headMetadata(deck: RenderedDeck): string {
  const tag = (html: string, value: string | undefined) => (value ? html.replace('%', () => escapeHtml(value)) : '')
  return [
    `<title>${escapeHtml(deck.title)}</title>`,
    tag('<meta property="og:title" content="%">', deck.title),
    tag('<meta name="author" content="%">', deck.author),
    tag('<meta name="description" content="%">', deck.description),
    tag('<meta property="og:description" content="%">', deck.description),
    tag('<meta name="keywords" content="%">', deck.keywords?.join(',')),
    tag('<link rel="canonical" href="%">', deck.url),
    tag('<meta property="og:url" content="%">', deck.url),
    tag('<meta property="og:image" content="%">', deck.image),
  ].join('')
}

export function composeHtml(deck: RenderedDeck, viewer: BespokeShell): string {
  const meta = headMetadata(deck)
  const notes = deck.comments
    .map((list, i) =>
      list.length
        ? `<div class="bespoke-marp-note" data-index="${i}" tabindex="0">${list.map((c) => `<p>${escapeHtml(c)}</p>`).join('')}</div>`
        : '',
    )
    .join('')
  // The keyframes of the built-in transitions the slides ask for, after the viewer's CSS as
  // marp-cli writes them (none for a deck without transitions).
  const transitions = builtinTransitionsOf(deck.html)
    .map((name) => viewer.transitions[name] ?? '')
    .join('')
  return [
    `<!DOCTYPE html><html lang="${escapeHtml(deck.lang ?? 'en')}"><head><meta charset="UTF-8">`,
    '<meta name="viewport" content="width=device-width,height=device-height,initial-scale=1.0">',
    '<meta name="apple-mobile-web-app-capable" content="yes">',
    meta,
    `<style>${viewer.css}</style>${transitions ? `<style>${transitions}</style>` : ''}<style>${deck.css}</style><style>${deck.fontCss}</style>`,
    `</head><body>${viewer.controls}${deck.html}${notes}<script>${viewer.script}</script></body></html>`,
  ].join('')
}

export async function buildHtml(deck: RenderedDeck): Promise<string> {
  return composeHtml(deck, await bespokeShell())
}
