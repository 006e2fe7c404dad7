import { readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { load } from 'cheerio'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RenderCaches } from '../../src/render/caches.js'
import { renderDeck, renderSource, type RenderContext } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import { FIXTURES, ROOT, SEED, tempProject } from '../helpers/project.js'

let ctx: RenderContext
beforeAll(async () => {
  const themes = new ThemeRegistry(ROOT)
  await themes.addPath(path.join(ROOT, 'css'))
  ctx = { themes, html: false, fetchRemote: false, remoteTimeoutMs: 500 }
})

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

// Content sections carry the slide number as id (advanced backgrounds add id-less ones).
const sections = (html: string) => load(html)('section[id]')

describe('the seed deck', () => {
  it('renders 16 slides with the palette theme, as the author meant', async () => {
    const deck = await renderDeck(SEED, ctx)
    expect(deck.slideCount).toBe(16)
    expect(deck.title).toBe('Deep dive into CNI')
    expect(deck.theme.name).toBe('palette-3')
    expect(deck.size).toEqual({ width: 1280, height: 720 })
    const $ = load(deck.html)
    const s = sections(deck.html)
    expect(s).toHaveLength(16)
    // Title slide: maroon class from the comment, no page number (_paginate: skip).
    expect(s.eq(0).attr('class')).toContain('bg-tertiary')
    expect(s.eq(0).attr('data-paginate')).toBe('skip')
    expect(s.eq(0).find('footer').text()).toContain('Dale Bewley')
    // The front matter was recovered: pagination and the palette apply from slide 2 on.
    expect(s.eq(1).attr('class')).toContain('bg-secondary')
    expect(s.eq(1).attr('data-paginate')).toBe('true')
    expect(deck.css).toContain('--palette-primary')
    // Code slides are highlighted by shiki with the theme's CSS variables.
    const yaml = $('pre.shiki code.language-yaml').first()
    expect(yaml.find('span[style*="--marp-shiki-token"]').length).toBeGreaterThan(10)
    expect($('pre.shiki code.language-bash').length).toBeGreaterThan(0)
    expect($('pre.shiki code.language-json').length).toBe(1)
  })

  it('reports each flaw with its line and never rewrites the file', async () => {
    const before = await readFile(SEED)
    const deck = await renderDeck(SEED, ctx)
    const byRule = Object.fromEntries(deck.diagnostics.map((d) => [d.rule, d]))
    expect(byRule['front-matter']).toMatchObject({ file: SEED, line: 6 })
    expect(byRule['directive-value']).toMatchObject({ file: SEED, line: 15, slide: 2 })
    expect(byRule['directive-value']!.message).toContain('did you mean `class: bg-secondary`')
    expect(await readFile(SEED)).toEqual(before)
  })

  it('records slide start lines and fence lines', async () => {
    const deck = await renderDeck(SEED, ctx)
    expect(deck.facts.slides[0]).toEqual({ slide: 1, line: 1 })
    expect(deck.facts.slides[1]!.line).toBe(14)
    const json = deck.facts.fences.find((f) => f.lang === 'json')
    expect(json).toMatchObject({ slide: 15, known: true })
    expect(deck.facts.emptyListItems).toEqual([{ line: 56, slide: 8 }])
  })
})

describe('compatibility features', () => {
  it('renders directives, backgrounds, scoped style, notes, math and emoji without a CDN', async () => {
    const file = path.join(FIXTURES, 'compat/features.md')
    const deck = await renderDeck(file, ctx)
    expect(deck.slideCount).toBe(5)
    expect(deck.title).toBe('Feature tour')
    expect(deck.author).toBe('Test Author')
    const $ = load(deck.html)
    const s = sections(deck.html)
    expect(s.eq(0).find('header').text()).toBe('Compat header')
    expect(s.eq(4).find('footer').text()).toBe('Compat footer')
    expect(s.eq(1).attr('class')).toContain('invert')
    expect(s.eq(3).attr('data-paginate')).toBeUndefined()
    expect(s.eq(2).attr('data-paginate')).toBe('true')
    expect(s.eq(3).attr('style')).toContain('#123456')
    expect(s.eq(4).attr('class')).toContain('bg-quaternary')
    expect(deck.css).toContain('text-decoration:underline')
    // Notes, one entry per slide.
    expect(deck.notes[0]).toBe('Speaker note for slide one')
    expect(deck.notes[3]).toBe('Second note,\non two lines.')
    expect(deck.notes[1]).toBe('')
    // Emoji and images are inlined; math is MathJax (marp-core's default): SVG paths, no font.
    expect($('img.emoji').length).toBe(2)
    $('img').each((_, el) => expect($(el).attr('src')).toMatch(/^data:image\//))
    expect(deck.html).toMatch(/background-image:url\(&quot;data:image\/png;base64,/)
    expect($('mjx-container[jax="SVG"] svg path').length).toBeGreaterThan(0)
    expect($('.katex').length).toBe(0)
    expect(deck.fontCss).not.toContain('KaTeX_')
    expect(deck.fontCss).toContain("font-family: 'Inter'")
    expect(deck.html).not.toMatch(/(src|href)="https?:\/\/(?!www\.w3\.org)/)
    expect(deck.images.map((f) => path.basename(f)).sort()).toEqual(['blue.png', 'red.png'])
  })

  it('honours size: 4:3', async () => {
    const deck = await renderDeck(path.join(FIXTURES, 'compat/four-three.md'), ctx)
    expect(deck.size).toEqual({ width: 960, height: 720 })
    expect(deck.slideCount).toBe(2)
  })

  it('escapes raw HTML unless --html is given', async () => {
    const file = path.join(FIXTURES, 'compat/raw-html.md')
    const off = await renderDeck(file, ctx)
    const on = await renderDeck(file, { ...ctx, html: true })
    expect(load(off.html)('div.custom-box').length).toBe(0)
    expect(load(on.html)('div.custom-box').text()).toBe('allowed with --html')
  })

  it('warns about missing images and unknown languages with their lines', async () => {
    const md = '---\nmarp: true\n---\n\n# A\n\n![](nope.png)\n\n---\n\n```klingon\nx\n```\n'
    const deck = await renderSource(path.join(ROOT, 'slides/virtual.md'), md, ctx)
    const missing = deck.diagnostics.find((d) => d.rule === 'missing-image')
    expect(missing).toMatchObject({ line: 7, slide: 1 })
    expect(deck.diagnostics.find((d) => d.rule === 'unknown-language')).toMatchObject({ line: 11, slide: 2 })
  })

  it('renders a BOM + CRLF deck the same as its LF twin, and an empty deck', async () => {
    const p = await tempProject()
    cleanup = p.cleanup
    const lf = await readFile(path.join(FIXTURES, 'compat/four-three.md'), 'utf8')
    const crlf = path.join(p.dir, 'slides', 'crlf deck é.md')
    await writeFile(crlf, `\uFEFF${lf.replace(/\n/g, '\r\n')}`)
    const a = await renderDeck(crlf, ctx)
    expect(a.slideCount).toBe(2)
    expect(a.facts.slides.map((s) => s.line)).toEqual([1, 8])
    const empty = path.join(p.dir, 'slides', 'empty.md')
    await writeFile(empty, '')
    const e = await renderDeck(empty, ctx)
    expect(e.slideCount).toBe(1)
    expect(e.title).toBe('empty')
  })

  it('warns when a theme does not resolve and renders with the default theme', async () => {
    const deck = await renderSource(path.join(ROOT, 'slides/x.md'), '---\ntheme: ./missing.css\n---\n# A\n', ctx)
    expect(deck.theme.name).toBe('default')
    expect(deck.diagnostics).toContainEqual(expect.objectContaining({ rule: 'theme', line: 2 }))
  })
})

describe('math', () => {
  it("keeps KaTeX's fonts in the font CSS only: its CDN-relative @font-face rules are dropped, so no file is looked for", async () => {
    const deck = await renderSource(path.join(ROOT, 'slides/math.md'), '---\nmarp: true\nmath: katex\n---\n\n# Math\n\n$E = mc^2$\n', ctx)
    expect(deck.diagnostics.filter((d) => d.rule === 'missing-image' || d.rule === 'local-file')).toEqual([])
    expect(deck.css).not.toContain('url(fonts/KaTeX_')
    expect(deck.fontCss).toMatch(/font-family:\s*"?KaTeX_Main/)
  })
})

describe('remote images', () => {
  it('waits a bounded time for a remote image that never answers, then warns with the URL and line', async () => {
    // A local server that accepts and never answers stands in for a dead remote host.
    const sockets = new Set<import('node:net').Socket>()
    const server = createServer(() => undefined)
    server.on('connection', (s) => sockets.add(s))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const url = `http://127.0.0.1:${port}/never.png`
      const md = `---\nmarp: true\n---\n\n# Remote\n\n![](${url})\n`
      // The stand-in listens on loopback, which the remote policy refuses unless allowed.
      const refused = await renderSource(path.join(ROOT, 'slides/remote.md'), md, { ...ctx, fetchRemote: true, remoteTimeoutMs: 300 })
      expect(refused.diagnostics.find((d) => d.rule === 'remote-resource')?.message).toContain('private address')
      const deck = await renderSource(path.join(ROOT, 'slides/remote.md'), md, {
        ...ctx,
        fetchRemote: true,
        remoteTimeoutMs: 300,
        allowPrivateNetwork: true,
      })
      const warning = deck.diagnostics.find((d) => d.rule === 'remote-resource')
      expect(warning).toMatchObject({ line: 7, slide: 1 })
      expect(warning?.message).toContain(url)
      expect(warning?.message).toContain('no answer within 300 ms')
      // Offline builds do not even try.
      const offline = await renderSource(path.join(ROOT, 'slides/remote.md'), md, { ...ctx, fetchRemote: false })
      expect(offline.diagnostics.find((d) => d.rule === 'remote-resource')?.message).toContain('offline')
    } finally {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

/** A temp project with one more theme file, and a render context over its css/ folder. */
async function projectWithTheme(file: string, css: string) {
  const p = await tempProject({ [file]: css })
  cleanup = p.cleanup
  const themes = new ThemeRegistry(p.dir)
  await themes.addPath(path.join(p.dir, 'css'))
  const local: RenderContext = { themes, html: false, fetchRemote: false, remoteTimeoutMs: 500 }
  return { p, themes, local }
}

describe('render caches', () => {
  it('highlights only the code blocks a save changed', async () => {
    const fence = (i: number, extra = '') => `---\n\n## Slide ${i}\n\n\`\`\`yaml\nname: block-${i}${extra}\nreplicas: ${i}\n\`\`\`\n`
    const deck = (edited: number) =>
      `---\nmarp: true\n---\n\n# Cache\n\n${Array.from({ length: 30 }, (_, i) => fence(i, i === edited ? '-edited' : '')).join('\n')}`
    const file = path.join(ROOT, 'slides/cache.md')
    const caches = new RenderCaches()
    const own = { ...ctx, caches }
    await renderSource(file, deck(-1), own)
    expect(caches.highlights.size).toBe(30)
    const edited = await renderSource(file, deck(7), own)
    expect(caches.highlights.size).toBe(31)
    caches.clear()
    expect([caches.highlights.size, caches.engines.size]).toEqual([0, 0])
    expect(edited.html).toContain('block-7-edited')
    expect(load(edited.html)('pre.shiki code.language-yaml')).toHaveLength(30)
  })

  it('keeps a fence whose HTML depends on the theme apart per theme: auto-scaled code only where the theme asks', async () => {
    // The same code block under palette-3 (`@auto-scaling true`) and a theme without it, in the
    // same engine: a cache keyed on the code alone would hand one deck the other's wrapper.
    const { p, local } = await projectWithTheme('css/flat.css', '/* @theme flat */\nsection { color: #111111 }\n')
    const md = (theme: string) => `---\nmarp: true\ntheme: ${theme}\n---\n\n# Code\n\n\`\`\`yaml\nname: same-block\n\`\`\`\n`
    for (let round = 0; round < 2; round += 1) {
      const scaled = await renderSource(path.join(p.dir, 'slides/a.md'), md('palette-3'), local)
      const flat = await renderSource(path.join(p.dir, 'slides/b.md'), md('flat'), local)
      expect(load(scaled.html)('pre[is="marp-pre"][data-auto-scaling]')).toHaveLength(1)
      expect(load(flat.html)('pre[is="marp-pre"]')).toHaveLength(0)
      expect(load(flat.html)('pre code.language-yaml').text()).toContain('same-block')
    }
  })

  it('turns emoji into local twemoji in text and code, as marp-core does, skipping ASCII-only text', async () => {
    // The emoji scan is given only inline tokens with a non-ASCII text. An entity stays the
    // character it stands for, as with marp-core alone (its rule runs before entities join the
    // text).
    const md =
      '---\nmarp: true\n---\n\n# Emoji\n\nPlain words only.\n\nEntity: &#x1F600;\n\nDirect: 🎉 and `code 🚀`\n\n- item ✅ last\n\n```text\nfence 🔥\n```\n'
    const deck = await renderSource(path.join(ROOT, 'slides/emoji.md'), md, ctx)
    const $ = load(deck.html)
    const alts = $('img[data-marp-twemoji]')
      .map((_, el) => $(el).attr('alt'))
      .get()
    expect(alts).toEqual(['🎉', '🚀', '✅', '🔥'])
    expect($('li').text()).toBe('item  last')
    expect($('li img').attr('alt')).toBe('✅')
    expect($('p').filter((_, el) => $(el).text() === 'Plain words only.')).toHaveLength(1)
    expect($('p').filter((_, el) => $(el).text() === 'Entity: 😀')).toHaveLength(1)
    expect(deck.html).not.toContain('cdn.jsdelivr')
  })

  it('never serves a stale stylesheet: deck styles and theme edits show up', async () => {
    const { p, themes, local } = await projectWithTheme('css/extra.css', '/* @theme extra */\nsection { color: #111111 }\n')
    const file = path.join(p.dir, 'slides/a.md')
    const md = (colour: string) => `---\ntheme: extra\n---\n\n<style>\nh1 { color: ${colour} }\n</style>\n\n# A\n`
    const red = await renderSource(file, md('#ff0000'), local)
    const blue = await renderSource(file, md('#0000ff'), local)
    expect(red.css).toContain('#ff0000')
    expect(blue.css).toContain('#0000ff')
    expect(blue.css).not.toContain('#ff0000')
    await writeFile(path.join(p.dir, 'css/extra.css'), '/* @theme extra */\nsection { color: #222222 }\n')
    await themes.addFile(path.join(p.dir, 'css/extra.css'))
    const edited = await renderSource(file, md('#0000ff'), local)
    expect(edited.css).toContain('#222')
    expect(edited.css).not.toContain('#111')
  })
})
