import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { load } from 'cheerio'
import JSZip from 'jszip'
import { PDFDocument, PDFName, PDFString, PDFHexString } from 'pdf-lib'
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { RenderAhead } from '../../src/render/ahead.js'
import { deckMetadata } from '../../src/render/metadata.js'
import { renderDeck, renderSource } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import { build, type RunResult } from '../../src/pipeline/run.js'
import { ROOT, tempProject, workerOptions } from '../helpers/project.js'

/*
 * Metadata and the settings that change a render: title, description, author, keywords, url and
 * image from the front matter or from the project (config file, API options), in the HTML head,
 * the PDF Info dictionary and the PPTX core properties; the project's default theme, lang and
 * math; the PDF's heading bookmarks.
 */

const FRONT = [
  '---',
  'marp: true',
  'title: Front Title',
  'description: "From the front matter: <b> & more"',
  'author: Ada Lovelace',
  'keywords: [kubernetes, network policy, cni]',
  'url: https://example.com/talks/front/',
  'image: img/cover.png',
  'lang: de',
  'theme: default',
  '---',
  '',
  '# Front heading',
  '',
  'Text $x^2$',
  '',
].join('\n')

const PLAIN = [
  '# Plain deck',
  '',
  '## Part one',
  '',
  '### Detail',
  '',
  'Math: $E = mc^2$',
  '',
  '---',
  '',
  '## Second slide',
  '',
  '### Inner',
  '',
  '---',
  '',
  'No heading here',
  '',
].join('\n')

const BRAND = '/* @theme brand */\nsection { background: #123456; color: #fedcba; }\n'

const CONFIG = {
  title: 'Config Title',
  description: 'From the config',
  keywords: 'config, pipeline',
  url: 'https://config.example/deck/',
  image: 'https://config.example/og.png',
}

let dir: string
let cleanup: () => Promise<void>
beforeAll(async () => {
  const p = await tempProject({
    'package.json': '{}',
    'deck.config.json': JSON.stringify(CONFIG),
    'slides/front.md': FRONT,
    'slides/plain.md': PLAIN,
    'themes/brand.css': BRAND,
  })
  dir = p.dir
  cleanup = p.cleanup
})
afterAll(() => cleanup())

const out = (run: string, name: string) => path.join(dir, run, name)
const html = async (run: string, deck: string) => load(await readFile(out(run, `${deck}.html`), 'utf8'))

interface PdfMeta {
  title?: string
  author?: string
  subject?: string
  keywords?: string
  lang?: string
}

/** The Info dictionary and the catalog's /Lang, as pdf-lib reads them back. */
async function pdfMeta(file: string): Promise<PdfMeta> {
  const doc = await PDFDocument.load(await readFile(file), { updateMetadata: false })
  const lang = doc.catalog.lookup(PDFName.of('Lang'))
  return {
    ...(doc.getTitle() !== undefined ? { title: doc.getTitle()! } : {}),
    ...(doc.getAuthor() !== undefined ? { author: doc.getAuthor()! } : {}),
    ...(doc.getSubject() !== undefined ? { subject: doc.getSubject()! } : {}),
    ...(doc.getKeywords() !== undefined ? { keywords: doc.getKeywords()! } : {}),
    ...(lang instanceof PDFString || lang instanceof PDFHexString ? { lang: lang.decodeText() } : {}),
  }
}

interface Bookmark {
  title: string
  page: number
  items: Bookmark[]
}

/** The PDF's bookmark tree with the page each one opens, as a reader shows it (pdf.js). */
async function bookmarks(file: string): Promise<Bookmark[]> {
  const doc = await getDocument({ data: new Uint8Array(await readFile(file)), useSystemFonts: false, isEvalSupported: false }).promise
  try {
    type Node = { title: string; dest: unknown; items: Node[] }
    const pageOf = new Map<string, number>()
    for (let i = 1; i <= doc.numPages; i += 1) {
      const { ref } = await doc.getPage(i)
      if (ref) pageOf.set(`${ref.num} ${ref.gen}`, i)
    }
    const walk = (nodes: Node[]): Bookmark[] =>
      nodes.map((n) => {
        const [ref] = n.dest as [{ num: number; gen: number }, ...unknown[]]
        return { title: n.title, page: pageOf.get(`${ref.num} ${ref.gen}`) ?? 0, items: walk(n.items) }
      })
    return walk(((await doc.getOutline()) ?? []) as Node[])
  } finally {
    await doc.destroy()
  }
}

async function coreXml(file: string): Promise<string> {
  const zip = await JSZip.loadAsync(await readFile(file))
  return zip.file('docProps/core.xml')!.async('string')
}
const xmlValue = (xml: string, tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1]

function succeeded(result: RunResult): void {
  expect(result.decks.flatMap((d) => d.errors.map((e) => e.message))).toEqual([])
  expect(result.exitCode).toBe(0)
}

describe('metadata from the front matter, the config file and API options', () => {
  let first: RunResult
  beforeAll(async () => {
    // The config file gives title, description, keywords, url and image; the options (as the
    // CLI's flags would) override the title and add author, lang, theme and heading bookmarks.
    first = await build({
      cwd: dir,
      out: 'one',
      formats: ['html', 'pdf', 'pptx'],
      offline: true,
      title: 'Option Title',
      author: 'Option Author',
      lang: 'fr',
      theme: 'themes/brand.css',
      pdfOutlines: { pages: true, headings: true },
    })
  })

  it('builds both decks', () => {
    succeeded(first)
    expect(first.decks.map((d) => path.basename(d.file))).toEqual(['front.md', 'plain.md'])
  })

  it('HTML: the front matter wins over the config and the options', async () => {
    const $ = await html('one', 'front')
    expect($('title').text()).toBe('Front Title')
    expect($('meta[property="og:title"]').attr('content')).toBe('Front Title')
    expect($('meta[name="author"]').attr('content')).toBe('Ada Lovelace')
    expect($('meta[name="description"]').attr('content')).toBe('From the front matter: <b> & more')
    expect($('meta[property="og:description"]').attr('content')).toBe('From the front matter: <b> & more')
    expect($('meta[name="keywords"]').attr('content')).toBe('kubernetes,network policy,cni')
    expect($('link[rel="canonical"]').attr('href')).toBe('https://example.com/talks/front/')
    expect($('meta[property="og:url"]').attr('content')).toBe('https://example.com/talks/front/')
    // A relative image is a URL relative to the page: resolved against the deck's url.
    expect($('meta[property="og:image"]').attr('content')).toBe('https://example.com/talks/front/img/cover.png')
    expect($('html').attr('lang')).toBe('de')
    expect($('section[id]').first().attr('lang')).toBe('de')
    // The deck's own `theme: default` wins over the project's default theme.
    expect($('section[id]').first().attr('data-theme')).toBe('default')
  })

  it('HTML: a deck without front matter takes the options over the config', async () => {
    const $ = await html('one', 'plain')
    expect($('title').text()).toBe('Option Title')
    expect($('meta[property="og:title"]').attr('content')).toBe('Option Title')
    expect($('meta[name="author"]').attr('content')).toBe('Option Author')
    expect($('meta[name="description"]').attr('content')).toBe('From the config')
    expect($('meta[property="og:description"]').attr('content')).toBe('From the config')
    expect($('meta[name="keywords"]').attr('content')).toBe('config,pipeline')
    expect($('link[rel="canonical"]').attr('href')).toBe('https://config.example/deck/')
    expect($('meta[property="og:url"]').attr('content')).toBe('https://config.example/deck/')
    expect($('meta[property="og:image"]').attr('content')).toBe('https://config.example/og.png')
    expect($('html').attr('lang')).toBe('fr')
    expect(
      $('section[id]')
        .map((_i, s) => $(s).attr('lang'))
        .get(),
    ).toEqual(['fr', 'fr', 'fr'])
    // The project's default theme, a CSS file outside css/, applies to the deck without `theme:`
    // (as Marp's default theme would: no data-theme attribute).
    expect($('style').text()).toContain('#123456')
    // Math is rendered by default, with MathJax (marp-core's default).
    expect($('mjx-container').length).toBeGreaterThan(0)
  })

  it('PDF: Title, Author, Subject, Keywords and Lang', async () => {
    expect(await pdfMeta(out('one', 'front.pdf'))).toEqual({
      title: 'Front Title',
      author: 'Ada Lovelace',
      subject: 'From the front matter: <b> & more',
      keywords: 'kubernetes; network policy; cni',
      lang: 'de',
    })
    expect(await pdfMeta(out('one', 'plain.pdf'))).toEqual({
      title: 'Option Title',
      author: 'Option Author',
      subject: 'From the config',
      keywords: 'config; pipeline',
      lang: 'fr',
    })
  })

  it('PPTX: title, creator, subject and keywords in docProps/core.xml', async () => {
    const front = await coreXml(out('one', 'front.pptx'))
    expect(xmlValue(front, 'dc:title')).toBe('Front Title')
    expect(xmlValue(front, 'dc:creator')).toBe('Ada Lovelace')
    expect(xmlValue(front, 'dc:subject')).toBe('From the front matter: &lt;b&gt; &amp; more')
    expect(xmlValue(front, 'cp:keywords')).toBe('kubernetes; network policy; cni')
    const plain = await coreXml(out('one', 'plain.pptx'))
    expect(xmlValue(plain, 'dc:title')).toBe('Option Title')
    expect(xmlValue(plain, 'dc:creator')).toBe('Option Author')
    expect(xmlValue(plain, 'dc:subject')).toBe('From the config')
    expect(xmlValue(plain, 'cp:keywords')).toBe('config; pipeline')
  })

  it("PDF bookmarks: each slide's headings under its bookmark, nested by level", async () => {
    expect(await bookmarks(out('one', 'plain.pdf'))).toEqual([
      { title: 'Plain deck', page: 1, items: [{ title: 'Part one', page: 1, items: [{ title: 'Detail', page: 1, items: [] }] }] },
      { title: 'Second slide', page: 2, items: [{ title: 'Inner', page: 2, items: [] }] },
      { title: 'Slide 3', page: 3, items: [] },
    ])
  })
})

describe('without project metadata, and with math off', () => {
  let second: RunResult
  beforeAll(async () => {
    second = await build({
      cwd: dir,
      configFile: false,
      out: 'two',
      formats: ['html', 'pdf'],
      offline: true,
      math: false,
      pdfOutlines: { pages: false, headings: true },
    })
  })

  it('HTML: the title is the first heading, no other metadata, lang en on the page only', async () => {
    succeeded(second)
    const $ = await html('two', 'plain')
    expect($('title').text()).toBe('Plain deck')
    for (const selector of [
      'meta[name="author"]',
      'meta[name="description"]',
      'meta[property="og:description"]',
      'meta[name="keywords"]',
      'link[rel="canonical"]',
      'meta[property="og:url"]',
      'meta[property="og:image"]',
    ]) {
      expect($(selector).length, selector).toBe(0)
    }
    expect($('html').attr('lang')).toBe('en')
    expect($('section[id]').first().attr('lang')).toBeUndefined()
    expect($('style').text()).not.toContain('#123456')
    // Chromium gives the PDF the print page's language, `en` as in the HTML.
    expect(await pdfMeta(out('two', 'plain.pdf'))).toEqual({ title: 'Plain deck', lang: 'en' })
  })

  it('math: false leaves $…$ as text', async () => {
    const $ = await html('two', 'plain')
    expect($('.katex, mjx-container').length).toBe(0)
    expect($('section[id]').first().text()).toContain('$E = mc^2$')
    const front = await html('two', 'front')
    expect(front('section[id]').first().text()).toContain('$x^2$')
  })

  it('PDF bookmarks without pages: the headings of the whole deck, nested by level', async () => {
    expect(await bookmarks(out('two', 'plain.pdf'))).toEqual([
      {
        title: 'Plain deck',
        page: 1,
        items: [
          { title: 'Part one', page: 1, items: [{ title: 'Detail', page: 1, items: [] }] },
          { title: 'Second slide', page: 2, items: [{ title: 'Inner', page: 2, items: [] }] },
        ],
      },
    ])
  })

  it('pdfOutlines: false writes no bookmarks', async () => {
    const third = await build({
      cwd: dir,
      configFile: false,
      decks: ['slides/plain.md'],
      out: 'three',
      formats: ['pdf'],
      offline: true,
      pdfOutlines: false,
    })
    succeeded(third)
    expect(await bookmarks(out('three', 'plain.pdf'))).toEqual([])
    const doc = await PDFDocument.load(await readFile(out('three', 'plain.pdf')), { updateMetadata: false })
    expect(doc.catalog.get(PDFName.of('Outlines'))).toBeUndefined()
  })
})

describe('the project default theme', () => {
  it('a theme name that does not resolve: the deck renders with Marp default theme and a warning without a line', async () => {
    const result = await build({
      cwd: dir,
      configFile: false,
      decks: ['slides/plain.md', 'slides/front.md'],
      out: 'four',
      formats: ['html'],
      offline: true,
      theme: 'no-such-theme',
    })
    succeeded(result)
    const plain = result.decks.find((d) => d.file.endsWith('plain.md'))!
    const finding = plain.findings.find((f) => f.rule === 'theme')
    expect(finding?.message).toMatch(/theme `no-such-theme` \(the default theme of decks without `theme:`/)
    expect(finding?.line).toBeUndefined()
    // The deck that names its theme is not concerned.
    expect(result.decks.find((d) => d.file.endsWith('front.md'))!.findings.filter((f) => f.rule === 'theme')).toEqual([])
    expect((await html('four', 'plain'))('style').text()).not.toMatch(/#123456|Lato/)
  })

  it('a built-in theme by name', async () => {
    const result = await build({
      cwd: dir,
      configFile: false,
      decks: ['slides/plain.md'],
      out: 'five',
      formats: ['html'],
      offline: true,
      theme: 'gaia',
    })
    succeeded(result)
    // Lato: the font of gaia, which Marp's default theme does not use.
    expect((await html('five', 'plain'))('style').text()).toContain('Lato')
  })

  it('a CSS file outside the project goes through the access policy: refused, with a local-file warning', async () => {
    const outside = await tempProject({ 'elsewhere.css': BRAND.replace('brand', 'outside') })
    onTestFinished(outside.cleanup)
    const result = await build({
      cwd: dir,
      configFile: false,
      decks: ['slides/plain.md'],
      out: 'six',
      formats: ['html'],
      offline: true,
      theme: path.join(outside.dir, 'elsewhere.css'),
    })
    succeeded(result)
    const finding = result.decks[0]!.findings.find((f) => f.rule === 'local-file')
    expect(finding?.message).toMatch(/elsewhere\.css.*was left out/)
    expect((await html('six', 'plain'))('style').text()).not.toContain('#123456')
  })
})

describe("one engine's caches across decks", () => {
  it('a default theme or a size preset of one render never serves the next', async () => {
    const themes = new ThemeRegistry(dir)
    await themes.addProject([])
    const ctx = { themes, html: false, fetchRemote: false, remoteTimeoutMs: 1000 }
    const file = path.join(dir, 'slides/cache.md')
    const plain = '# Plain\n\n```js\nconst a = 1\n```\n'
    const sized = '---\nsize: 4:3\n---\n\n# Four by three\n'
    const gaia = await renderSource(file, plain, { ...ctx, theme: 'gaia' })
    const marp = await renderSource(file, plain, ctx)
    expect(gaia.css).toContain('Lato')
    expect(marp.css).not.toContain('Lato')
    // marp-core's size plugin packs a sized copy of the theme under the same name.
    const wide = await renderSource(file, plain, ctx)
    const narrow = await renderSource(file, sized, ctx)
    expect(wide.css).toMatch(/width:1280px/)
    expect(narrow.size.width).toBe(960)
    expect(narrow.css).toMatch(/width:960px/)
    expect((await renderSource(file, plain, ctx)).css).toBe(wide.css)
  })
})

describe('the render worker carries the same settings', () => {
  it('renders as this thread does with metadata, theme, lang and math', async () => {
    const options = workerOptions(dir, { metadata: { title: 'Worker Title', keywords: ['w'] }, theme: 'gaia', lang: 'it', math: false })
    const file = path.join(dir, 'slides/plain.md')
    const ahead = RenderAhead.start(options, [file], new URL('lib/src/render/worker.js', `file://${ROOT}/`))
    expect(ahead).toBeDefined()
    onTestFinished(() => ahead!.close())
    const fromWorker = await ahead!.take(file, () => Promise.reject(new Error('rendered here, not in the worker')))
    const themes = new ThemeRegistry(dir)
    await themes.addProject([])
    const { root: _root, themeSets: _sets, ...ctx } = options
    const here = await renderDeck(file, { themes, ...ctx })
    expect(fromWorker).toEqual(here)
    expect(fromWorker).toMatchObject({ title: 'Worker Title', keywords: ['w'], lang: 'it', theme: { name: 'gaia' } })
    expect(fromWorker.html).not.toContain('katex')
  })
})

describe('deckMetadata (front matter over defaults)', () => {
  const base = {
    file: '/p/slides/a.md',
    keyLines: new Map([
      ['image', 3],
      ['url', 4],
      ['keywords', 5],
      ['title', 6],
    ]),
    fileTitle: 'a',
  }

  it('keywords: a list or comma-separated text, blanks and repeats dropped', () => {
    expect(deckMetadata({ ...base, data: { keywords: 'a, b,, a ' } }).meta.keywords).toEqual(['a', 'b'])
    expect(deckMetadata({ ...base, data: { keywords: ['x', 2024, 'x'] } }).meta.keywords).toEqual(['x', '2024'])
    const bad = deckMetadata({ ...base, data: { keywords: { a: 1 } }, defaults: { keywords: ['d'] } })
    expect(bad.meta.keywords).toEqual(['d'])
    expect(bad.diagnostics[0]).toMatchObject({ rule: 'directive-value', line: 5 })
  })

  it('og:image: URLs as given, relative references against url, local files left out with a warning', () => {
    const image = (data: Record<string, unknown>, defaults = {}) => deckMetadata({ ...base, data, defaults })
    expect(image({ image: 'https://cdn.example/a.png' }).meta.image).toBe('https://cdn.example/a.png')
    expect(image({ image: 'a.png', url: 'https://x.example/talk/' }).meta.image).toBe('https://x.example/talk/a.png')
    expect(image({ image: '/img/a.png', url: 'https://x.example/talk/' }).meta.image).toBe('https://x.example/img/a.png')
    // As marp-cli: without url, a relative reference is written as given.
    expect(image({ image: 'a.png' }).meta.image).toBe('a.png')
    const file = image({ image: 'file:///home/me/a.png' })
    expect(file.meta.image).toBeUndefined()
    expect(file.diagnostics[0]).toMatchObject({ rule: 'directive-value', line: 3, message: expect.stringMatching(/local file, not a URL/) })
    // From the config the loader made the file absolute: a local path is never published.
    const fromConfig = image({}, { image: '/p/og.png', url: 'https://x.example/' })
    expect(fromConfig.meta.image).toBeUndefined()
    expect(fromConfig.diagnostics[0]).toMatchObject({
      rule: 'directive-value',
      message: expect.stringMatching(/\/p\/og\.png is a local file/),
    })
    expect(fromConfig.diagnostics[0]!.line).toBeUndefined()
  })

  it('an invalid url and a title that is not text are reported at their lines and ignored', () => {
    const r = deckMetadata({
      ...base,
      data: { url: 'not a url', title: ['a', 'b'] },
      firstHeading: 'Heading',
      defaults: { url: 'https://d.example/' },
    })
    expect(r.meta.url).toBe('https://d.example/')
    expect(r.meta.title).toBe('Heading')
    expect(r.diagnostics.map((d) => d.line).sort()).toEqual([4, 6])
  })
})
