import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { fontCssFor, inlineAssets } from '../assets.js'
import { DeckError } from '../errors.js'
import type { RenderContext, RenderedDeck } from '../render.js'

/**
 * The interactive HTML deck comes from marp-cli's API with our engine (see marp-cli-engine.ts),
 * so presenters get marp-cli's viewer and presenter view, then we make the file self-contained:
 * images, emoji and fonts inlined, nothing left that points at a CDN.
 */
// marp-cli loads this config with import(); it must be compiled JavaScript. Under vitest this
// module runs from src/, so fall back to the compiled copy in lib/ (`npm test` compiles first).
const ENGINE_CONFIG = [
  fileURLToPath(new URL('./marp-cli-engine.js', import.meta.url)),
  fileURLToPath(new URL('../../lib/src/export/marp-cli-engine.js', import.meta.url)),
].find((f) => existsSync(f))

// marp-cli logs through console.warn/console.error; its calls are serialised so that capturing
// those for one conversion never swallows another's.
let queue: Promise<unknown> = Promise.resolve()

function runMarpCli(argv: string[]): Promise<{ code: number; log: string }> {
  const run = async () => {
    const log: string[] = []
    const { warn, error } = console
    console.warn = (...args: unknown[]) => void log.push(args.map(String).join(' '))
    console.error = console.warn
    try {
      // marp-cli is loaded on first use: a PDF-only build never needs it.
      const { marpCli } = await import('@marp-team/marp-cli')
      const code = await marpCli(argv)
      return { code, log: log.join('\n') }
    } catch (e) {
      return { code: 1, log: [...log, (e as Error).message].join('\n') }
    } finally {
      console.warn = warn
      console.error = error
    }
  }
  const next = queue.then(run, run)
  queue = next.catch(() => undefined)
  return next
}

// bespoke.js carries a licence comment with an unpkg URL; it loads nothing, but a file that
// must work offline should not even mention a CDN.
const stripCdnComments = (html: string): string =>
  html.replace(
    /\/\*!+\s*(?:For license information please see|License:)\s*https?:\/\/[^\s*]+\s*\*\//g,
    '/*! Licence: node_modules/@marp-team/marp-cli/lib/bespoke.js.LICENSE.txt */',
  )

const ANSI = /\u001b\[[0-9;]*m/g

export async function buildHtml(deck: RenderedDeck, ctx: RenderContext): Promise<string> {
  if (!ENGINE_CONFIG) throw new DeckError('lib/ is not compiled: run `npm run compile`')
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'deck-html-'))
  try {
    const out = path.join(tmp, 'deck.html')
    const themeFiles = ctx.themes.entries().map((e) => e.file)
    const argv = [deck.file, '--config-file', ENGINE_CONFIG, '--title', deck.title, '-o', out]
    argv.push(ctx.html ? '--html' : '--no-html')
    if (deck.theme.file || deck.theme.name !== 'default') argv.push('--theme', deck.theme.name)
    if (themeFiles.length) argv.push('--theme-set', ...themeFiles)
    const { code, log } = await runMarpCli(argv)
    if (code !== 0) {
      throw new DeckError(`HTML conversion failed: ${log.replace(ANSI, '').trim() || `marp-cli exit code ${code}`}`, {
        location: { file: deck.file },
      })
    }
    const html = await readFile(out, 'utf8')
    const inlined = await inlineAssets(html, {
      baseDir: path.dirname(deck.file),
      fetchRemote: ctx.fetchRemote,
      remoteTimeoutMs: ctx.remoteTimeoutMs,
    })
    const fonts = `<style>${await fontCssFor(inlined.html)}</style>`
    return stripCdnComments(inlined.html).replace('</head>', () => `${fonts}</head>`)
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}
