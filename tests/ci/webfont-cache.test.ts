import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { load } from 'cheerio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MANIFEST_FILE, type Manifest } from '../../src/cache/manifest.js'
import { build, type RunResult } from '../../src/index.js'
import { PNG_1PX, ROOT, tempProject } from '../helpers/project.js'

/**
 * The build cache and a theme's web fonts, over real HTTP (a server on 127.0.0.1, reached through
 * `allowPrivateNetwork`), HTML only (no browser). The font CSS and the font file the render
 * embedded are inputs of the deck by the sha256 of their bodies: a second build finds the deck up
 * to date; a new cache folder that gets other bytes rebuilds it; what cannot be had (server down,
 * offline and not cached, a private address a stricter build refuses) rebuilds it with the finding.
 * A deck with a remote image is never cached.
 */

const FONT_A = path.join(ROOT, 'node_modules/katex/dist/fonts/KaTeX_SansSerif-Regular.woff2')
const FONT_B = path.join(ROOT, 'node_modules/katex/dist/fonts/KaTeX_SansSerif-Bold.woff2')
const CSS_PATH = '/css?family=Deck+Cache+Sans'
const FONT_PATH = '/files/cache-sans-latin.woff2'
const fontCss = `@font-face { font-family: 'Deck Cache Sans'; font-style: normal; font-weight: 400;
  src: url(files/cache-sans-latin.woff2) format('woff2'); unicode-range: U+0000-00FF; }
`

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')

let server: Server
let origin: string
let font: Buffer
let down = false
const hits = new Map<string, number>()
const hitsOf = (url: string): number => hits.get(url) ?? 0
let project: { dir: string; cleanup: () => Promise<void> }
const talk = () => path.join(project.dir, 'slides/talk.md')
const pic = () => path.join(project.dir, 'slides/pic.md')

beforeAll(async () => {
  font = await readFile(FONT_A)
  server = createServer((req, res) => {
    hits.set(req.url ?? '', hitsOf(req.url ?? '') + 1)
    if (down) res.writeHead(503).end()
    else if (req.url === CSS_PATH) res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' }).end(fontCss)
    else if (req.url === FONT_PATH) res.writeHead(200, { 'content-type': 'font/woff2' }).end(font)
    else if (req.url === '/pic.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_1PX)
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  project = await tempProject({
    'css/cachefont.css': `/* @theme cachefont */\n@import 'default';\n@import url('${origin}${CSS_PATH}');\n\nsection { font-family: 'Deck Cache Sans', sans-serif; }\n`,
    'slides/talk.md': '---\nmarp: true\ntheme: cachefont\n---\n\n# Web font\n\nIn the theme font\n',
    'slides/pic.md': `---\nmarp: true\n---\n\n# Remote picture\n\n![](${origin}/pic.png)\n`,
  })
})

afterAll(async () => {
  if (server.listening) await new Promise((resolve) => server.close(resolve))
  await project?.cleanup()
})

/** An HTML build of the project with the cache folder `cache` (under the project). */
const run = (cache: string, opts: { offline?: boolean; allowPrivateNetwork?: boolean } = {}): Promise<RunResult> =>
  build({
    cwd: project.dir,
    configFile: false,
    formats: ['html'],
    allowPrivateNetwork: opts.allowPrivateNetwork ?? true,
    remoteTimeout: 3000,
    cacheDir: path.join(project.dir, cache),
    ...(opts.offline ? { offline: true } : {}),
  })

const report = (result: RunResult, file: string) => result.decks.find((d) => d.file === file)!
const upToDate = (result: RunResult, file: string): boolean => report(result, file).upToDate === true
const webFontFindings = (result: RunResult) => report(result, talk()).findings.filter((f) => f.rule === 'remote-resource')
const manifest = async (): Promise<Manifest> =>
  JSON.parse(await readFile(path.join(project.dir, 'dist', MANIFEST_FILE), 'utf8')) as Manifest
/** The font embedded in the deck's HTML, as base64. */
const embeddedFont = async (): Promise<string | undefined> => {
  const css = load(await readFile(path.join(project.dir, 'dist/talk.html'), 'utf8'))('style').text()
  return /Deck Cache Sans[^}]*url\("data:font\/woff2;base64,([^"]+)"/.exec(css)?.[1]
}

describe('the build cache and web fonts', () => {
  it('a deck on a theme with a web font is up to date on the second build; the manifest lists the CSS and the font by sha256', async () => {
    const first = await run('cache-a')
    expect(first.exitCode).toBe(0)
    expect(upToDate(first, talk())).toBe(false)
    expect(webFontFindings(first)).toEqual([])
    const entry = (await manifest()).decks['slides/talk.md']!
    expect(entry.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(entry.uncacheable).toBeUndefined()
    expect(Object.entries(entry.inputs).filter(([name]) => name.startsWith('remote:'))).toEqual([
      [`remote:css:${origin}${CSS_PATH}`, sha256(fontCss)],
      [`remote:font:${origin}${FONT_PATH}`, sha256(font)],
    ])
    expect(Object.keys(entry.inputs).filter((name) => !name.startsWith('remote:'))).toEqual(['css/cachefont.css', 'slides/talk.md'])

    const before = hitsOf(FONT_PATH) + hitsOf(CSS_PATH)
    const second = await run('cache-a')
    expect(upToDate(second, talk())).toBe(true)
    // The check found both in the cache folder: nothing fetched.
    expect(hitsOf(FONT_PATH) + hitsOf(CSS_PATH)).toBe(before)
  })

  it('a deck with a remote image stays uncacheable: rebuilt on every build', async () => {
    const entry = (await manifest()).decks['slides/pic.md']!
    expect(entry.hash).toBeNull()
    expect(entry.uncacheable).toBe(`it fetches ${origin}/pic.png, which may change`)
    const again = await run('cache-a')
    expect(upToDate(again, pic())).toBe(false)
    expect(report(again, pic()).outputs.map((o) => path.basename(o.file))).toEqual(['pic.html'])
  })

  it('other font bytes at the same URL: a new cache folder rebuilds the deck with them; the same folder keeps the cached bytes', async () => {
    const old = font
    font = await readFile(FONT_B)
    // The RemoteCache's contract is once per machine: a cache folder that holds the URL answers
    // from disk and never asks again, so on this machine the deck is still up to date.
    const same = await run('cache-a')
    expect(upToDate(same, talk())).toBe(true)
    expect(await embeddedFont()).toBe(old.toString('base64'))

    // A new cache folder (a new CI machine) fetches the new bytes, and the deck is rebuilt with them.
    const fresh = await run('cache-b')
    expect(upToDate(fresh, talk())).toBe(false)
    expect(await embeddedFont()).toBe(font.toString('base64'))
    expect((await manifest()).decks['slides/talk.md']!.inputs[`remote:font:${origin}${FONT_PATH}`]).toBe(sha256(font))
    expect(upToDate(await run('cache-b'), talk())).toBe(true)
  })

  it('a font that cannot be had (the server down, a new cache folder) makes the deck not up to date: rebuilt, with the finding', async () => {
    down = true
    try {
      const before = hitsOf(CSS_PATH)
      const result = await run('cache-c')
      // The build cache asked the server before deciding (and was refused).
      expect(hitsOf(CSS_PATH)).toBeGreaterThan(before)
      expect(upToDate(result, talk())).toBe(false)
      expect(
        webFontFindings(result)
          .map((f) => f.message)
          .join('\n'),
      ).toContain(`${origin}${CSS_PATH}`)
      const entry = (await manifest()).decks['slides/talk.md']!
      expect(entry.hash).toBeNull()
      expect(entry.uncacheable).toBe(`it fetches ${origin}${CSS_PATH}, which may change`)
    } finally {
      down = false
    }
  })

  it('offline with an empty cache folder: never up to date, the finding each time; offline with the font cached: up to date', async () => {
    const before = hitsOf(CSS_PATH) + hitsOf(FONT_PATH)
    for (let i = 0; i < 2; i += 1) {
      const result = await run('cache-empty', { offline: true })
      expect(upToDate(result, talk())).toBe(false)
      expect(webFontFindings(result)).toHaveLength(1)
      expect(webFontFindings(result)[0]!.message).toContain('offline')
    }
    expect((await manifest()).decks['slides/talk.md']!.hash).toBeNull()
    // --offline uses what the cache folder holds: the deck builds with the font and is then up to date.
    expect(upToDate(await run('cache-b', { offline: true }), talk())).toBe(false)
    const cached = await run('cache-b', { offline: true })
    expect(upToDate(cached, talk())).toBe(true)
    expect(webFontFindings(cached)).toEqual([])
    expect(await embeddedFont()).toBe(font.toString('base64'))
    expect(hitsOf(CSS_PATH) + hitsOf(FONT_PATH)).toBe(before)
  })

  it('a build that refuses private addresses does not take what a trusted build cached: rebuilt, with the finding', async () => {
    expect(upToDate(await run('cache-b'), talk())).toBe(false)
    expect(upToDate(await run('cache-b'), talk())).toBe(true)
    // The RemoteCache keys its entries by allowPrivateNetwork, and the check asks under the build's policy.
    const strict = await run('cache-b', { allowPrivateNetwork: false })
    expect(upToDate(strict, talk())).toBe(false)
    expect(webFontFindings(strict)).toHaveLength(1)
  })
})
