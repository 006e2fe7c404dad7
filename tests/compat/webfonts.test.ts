import { execFile } from 'node:child_process'
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import { load } from 'cheerio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_MAX_REMOTE_BYTES, type AccessPolicy } from '../../src/access/policy.js'
import { RemoteCache } from '../../src/access/remote-cache.js'
import { Builder } from '../../src/pipeline/builder.js'
import { resolveSettings } from '../../src/pipeline/settings.js'
import { renderSource } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import type { DeckResult } from '../../src/pipeline/types.js'
import { embeddedFonts, pngSize, readPdf, readPptx } from '../helpers/outputs.js'
import { buildOptions, ROOT, tempProject } from '../helpers/project.js'

/**
 * A theme's web font, end to end: a real HTTP server on 127.0.0.1 serves a font CSS (a face per
 * script, as Google Fonts does) and a real font file under a made-up family name; loopback is
 * allowed through the build's own option. The font is fetched once, kept in the cache folder,
 * embedded in the HTML as a data URI and printed into the PDF; without the server, one warning at
 * the theme's line and no URL left anywhere.
 */
const FONT = path.join(ROOT, 'node_modules/katex/dist/fonts/KaTeX_SansSerif-Regular.woff2')

const accessDefaults: AccessPolicy = {
  roots: [],
  allowLocalFiles: false,
  fetchRemote: false,
  allowPrivateNetwork: false,
  maxRemoteBytes: DEFAULT_MAX_REMOTE_BYTES,
  remoteTimeoutMs: 3000,
}

let server: Server
let origin: string
const hits = new Map<string, number>()
let project: { dir: string; cleanup: () => Promise<void> }

const fontCss = `/* latin */
@font-face { font-family: 'Deck Test Sans'; font-style: normal; font-weight: 400;
  src: local('Deck Test Sans'), url(files/test-sans-latin.woff2) format('woff2');
  unicode-range: U+0000-00FF, U+0131, U+0152-0153; }
/* cyrillic: no character of the deck, so never fetched */
@font-face { font-family: 'Deck Test Sans'; font-style: normal; font-weight: 400;
  src: url(files/test-sans-cyrillic.woff2) format('woff2');
  unicode-range: U+0400-045F, U+0490-0491; }
`

beforeAll(async () => {
  const font = await readFile(FONT)
  server = createServer((req, res) => {
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1)
    if (req.url === '/css?family=Deck+Test+Sans') res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' }).end(fontCss)
    else if (req.url?.startsWith('/files/')) res.writeHead(200, { 'content-type': 'font/woff2' }).end(font)
    else if (req.url === '/fails') res.writeHead(500).end()
    else if (req.url?.startsWith('/bytes/')) res.writeHead(200).end(Buffer.alloc(1000, Number(req.url.slice(7))))
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  project = await tempProject({
    'css/webfont.css': [
      '/* @theme webfont */',
      "@import 'default';",
      `@import url('${origin}/css?family=Deck+Test+Sans');`,
      '',
      "section { font-family: 'Deck Test Sans', sans-serif; }",
      '',
    ].join('\n'),
    'slides/talk.md': '---\nmarp: true\ntheme: webfont\n---\n\n# Web font\n\nTyped in the theme font\n',
  })
})

afterAll(async () => {
  if (server.listening) await new Promise((resolve) => server.close(resolve))
  await project?.cleanup()
})

async function buildOnce(cacheDir: string): Promise<DeckResult> {
  const builder = new Builder(
    buildOptions(project.dir, {
      formats: ['html', 'pdf', 'pptx'],
      // The picture deck shows the font the page drew with, so a fallback shows in its pixels.
      pptxMode: 'picture',
      fetchRemote: true,
      allowPrivateNetwork: true,
      remoteTimeoutMs: 3000,
      cacheDir,
    }),
  )
  await builder.init()
  try {
    return await builder.buildDeck(path.join(project.dir, 'slides/talk.md'))
  } finally {
    await builder.close()
  }
}

describe('theme web fonts', () => {
  let first: DeckResult
  let html: string
  /** The PPTX picture of the slide in the web font. */
  let picture: Uint8Array

  it('embeds the imported font in the HTML as a data URI, with no URL of the server left', async () => {
    first = await buildOnce(path.join(project.dir, 'cache-a'))
    picture = (await readPptx(path.join(project.dir, 'dist/talk.pptx'))).pictures[0]!
    expect(first.errors).toEqual([])
    expect(first.diagnostics.filter((d) => d.rule === 'remote-resource')).toEqual([])
    html = await readFile(path.join(project.dir, 'dist/talk.html'), 'utf8')
    expect(html).not.toContain(origin)
    expect(html).not.toContain('127.0.0.1')
    const css = load(html)('style')
      .toArray()
      .map((s) => load(s).text())
      .join('\n')
    const face = /@font-face\s*\{[^}]*Deck Test Sans[^}]*\}/.exec(css)?.[0] ?? ''
    expect(face).toContain(`url("data:font/woff2;base64,${(await readFile(FONT)).toString('base64').slice(0, 64)}`)
    expect(face).not.toContain('local(')
    // Only the face for the deck's characters was fetched.
    expect(hits.get('/files/test-sans-latin.woff2')).toBe(1)
    expect(hits.get('/files/test-sans-cyrillic.woff2')).toBeUndefined()
  })

  it('prints the deck in that font: the PDF embeds it', async () => {
    const pdf = path.join(project.dir, 'dist/talk.pdf')
    expect(await embeddedFonts(pdf)).toContain('KaTeX_SansSerif-Regular')
    // poppler's view of the same file: the font is there, embedded (emb column "yes").
    const { stdout } = await promisify(execFile)('pdffonts', [pdf])
    expect(stdout).toMatch(/KaTeX_SansSerif-Regular\s.*\byes\b/)
    expect((await readPdf(pdf)).text[0]).toContain('Typed in the theme font')
  })

  it('fetches nothing on the next build: the CSS and the font come from the cache folder', async () => {
    const before = [...hits.values()].reduce((a, b) => a + b, 0)
    const second = await buildOnce(path.join(project.dir, 'cache-a'))
    expect(second.diagnostics.filter((d) => d.rule === 'remote-resource')).toEqual([])
    expect([...hits.values()].reduce((a, b) => a + b, 0)).toBe(before)
    expect(await readFile(path.join(project.dir, 'dist/talk.html'), 'utf8')).toBe(html)
  })

  it("embeds a deck's own @font-face with a remote src the same way", async () => {
    const themes = new ThemeRegistry(project.dir)
    await themes.addProject([])
    const deck = await renderSource(
      path.join(project.dir, 'slides/own.md'),
      `---\nmarp: true\n---\n\n<style>\n@font-face { font-family: Own; src: url(${origin}/files/own.woff2) format('woff2'); }\nsection { font-family: Own; }\n</style>\n\n# Own font\n`,
      {
        themes,
        html: false,
        fetchRemote: true,
        allowPrivateNetwork: true,
        remoteTimeoutMs: 3000,
        cacheDir: path.join(project.dir, 'cache-own'),
      },
    )
    expect(deck.diagnostics.filter((d) => d.rule === 'remote-resource')).toEqual([])
    expect(deck.css).not.toContain(origin)
    expect(deck.css).toMatch(/@font-face\s*\{[^}]*font-family:\s*Own;\s*src:url\("data:font\/woff2;base64,/)
  })

  it('the cacheDir config key moves the cache folder (relative to the config file, or to cwd as an option)', async () => {
    await writeFile(path.join(project.dir, 'deck.config.json'), JSON.stringify({ cacheDir: 'fonts-cache' }))
    try {
      expect((await resolveSettings({ cwd: project.dir })).build.cacheDir).toBe(path.join(project.dir, 'fonts-cache'))
      const given = await resolveSettings({ cwd: path.join(project.dir, 'slides'), configFile: false, cacheDir: 'here' })
      expect(given.build.cacheDir).toBe(path.join(project.dir, 'slides/here'))
    } finally {
      await rm(path.join(project.dir, 'deck.config.json'))
    }
  })

  it('keeps the cache folder within its bound: the bodies used longest ago go first', async () => {
    const dir = path.join(project.dir, 'cache-small')
    const cache = new RemoteCache(dir, 2500)
    const policy = { ...accessDefaults, fetchRemote: true, allowPrivateNetwork: true }
    for (const n of [1, 2, 3]) {
      await cache.get(`${origin}/bytes/${n}`, policy, '*/*')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const blobs = await readdir(path.join(dir, 'blobs'))
    const sizes = await Promise.all(blobs.map(async (b) => (await stat(path.join(dir, 'blobs', b))).size))
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2500)
    expect(blobs).toHaveLength(2)
    // The first is gone: a new store (no memory of it) fetches it again; the third is still on disk.
    const fresh = new RemoteCache(dir, 2500)
    await fresh.get(`${origin}/bytes/3`, policy, '*/*')
    expect(hits.get('/bytes/3')).toBe(1)
    expect((await fresh.get(`${origin}/bytes/1`, policy, '*/*')).body[0]).toBe(1)
    expect(hits.get('/bytes/1')).toBe(2)
  })

  it('asks again for what failed only after a while: many decks on one unreachable font wait once', async () => {
    const cache = new RemoteCache(path.join(project.dir, 'cache-fails'))
    const policy = { ...accessDefaults, fetchRemote: true, allowPrivateNetwork: true }
    for (let i = 0; i < 3; i += 1) await expect(cache.get(`${origin}/fails`, policy, '*/*')).rejects.toThrow('HTTP 500')
    expect(hits.get('/fails')).toBe(1)
  })

  it('with the server down and nothing cached: one warning at the theme line, no URL in the HTML, the same fallback in the PDF', async () => {
    await new Promise((resolve) => server.close(resolve))
    const down = await buildOnce(path.join(project.dir, 'cache-b'))
    expect(down.errors).toEqual([])
    const warnings = down.diagnostics.filter((d) => d.rule === 'remote-resource')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ file: path.join(project.dir, 'css/webfont.css'), line: 3 })
    expect(warnings[0]!.message).toContain(`${origin}/css?family=Deck+Test+Sans`)
    const offline = await readFile(path.join(project.dir, 'dist/talk.html'), 'utf8')
    expect(offline).not.toContain(origin)
    expect(offline).not.toMatch(/@font-face\s*\{[^}]*Deck Test Sans/)
    expect(await embeddedFonts(path.join(project.dir, 'dist/talk.pdf'))).not.toContain('KaTeX_SansSerif-Regular')
    // The PPTX is drawn from the same page: in the fallback font now, so its picture differs.
    const fallback = (await readPptx(path.join(project.dir, 'dist/talk.pptx'))).pictures[0]!
    expect(pngSize(fallback)).toEqual(pngSize(picture))
    expect(Buffer.from(fallback).equals(Buffer.from(picture))).toBe(false)
  })
})
