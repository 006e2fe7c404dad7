import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { load } from 'cheerio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import { styledForHljs } from '../../src/render/highlight.js'
import { renderSource, type RenderContext } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import { pixelsOf, rasterizePdfPage } from '../helpers/raster.js'
import { buildOptions, FIXTURES, tempProject } from '../helpers/project.js'

/**
 * A theme written for highlight.js (as marp-core 4 and marp-cli 4.5.1 highlight) gets
 * highlight.js markup and keeps its own code background; themes written for shiki, and Marp's
 * built-in themes, keep shiki.
 */

const COMPAT = path.join(FIXTURES, 'compat')
const BACKGROUND = '#282a36'
const KEYWORD = '#ff79c6'
const STRING = '#f1fa8c'

let dir: string
let cleanup: () => Promise<void>
let builder: Builder
let ctx: RenderContext

beforeAll(async () => {
  const files: Record<string, string> = {}
  for (const name of ['hljs-dark.css', 'hljs-import.css']) files[`css/${name}`] = await readFile(path.join(COMPAT, name), 'utf8')
  files['slides/hljs-dark.md'] = await readFile(path.join(COMPAT, 'hljs-dark.md'), 'utf8')
  const p = await tempProject(files)
  dir = p.dir
  cleanup = p.cleanup
  const themes = new ThemeRegistry(dir)
  await themes.addPath(path.join(dir, 'css'))
  ctx = { themes, html: false, fetchRemote: false, remoteTimeoutMs: 500 }
  builder = new Builder(buildOptions(dir, { formats: ['html', 'pdf'] }))
  await builder.init()
  const result = await builder.buildDeck(path.join(dir, 'slides/hljs-dark.md'))
  expect(result.errors).toEqual([])
})

afterAll(async () => {
  await builder?.close()
  await cleanup?.()
})

const deckOn = (theme: string) => `---\nmarp: true\ntheme: ${theme}\n---\n\n\`\`\`js\nconst s = "hi"\n\`\`\`\n`

describe('a dark theme that styles .hljs classes', () => {
  it('gets highlight.js markup in the HTML, with no inline shiki colours or background', async () => {
    const $ = load(await readFile(path.join(dir, 'dist/hljs-dark.html'), 'utf8'))
    const pre = $('section pre')
    expect(pre).toHaveLength(1)
    expect(pre.attr('style')).toBeUndefined()
    expect(pre.attr('class') ?? '').not.toContain('shiki')
    expect(pre.find('code.language-js span.hljs-keyword').text()).toBe('const')
    expect(pre.find('code.language-js span.hljs-string').text()).toBe('"hi"')
    expect(pre.find('[style]')).toHaveLength(0)
  })

  it('shows its code background and its keyword and string colours in the PDF', async () => {
    const page = await rasterizePdfPage(path.join(dir, 'dist/hljs-dark.pdf'), 1)
    const background = pixelsOf(page, BACKGROUND, 2)
    // The code box: a large area of the theme's `pre` background in the middle of the slide.
    expect(background.count).toBeGreaterThan(50_000)
    const box = background.box!
    expect(box.x1 - box.x0).toBeGreaterThan(800)
    // Token colours inside that box (glyph interiors at 56px are exact).
    expect(pixelsOf(page, KEYWORD, 8, box).count).toBeGreaterThan(300)
    expect(pixelsOf(page, STRING, 8, box).count).toBeGreaterThan(200)
  })

  it('is followed through @import: a theme importing it gets highlight.js too', async () => {
    const deck = await renderSource(path.join(dir, 'slides/import.md'), deckOn('hljs-import'), ctx)
    expect(load(deck.html)('span.hljs-keyword').text()).toBe('const')
  })
})

describe('themes written for shiki keep shiki', () => {
  it.each(['palette-3', 'default', 'gaia', 'uncover'])('%s', async (theme) => {
    const deck = await renderSource(path.join(dir, `slides/${theme}.md`), deckOn(theme), ctx)
    const $ = load(deck.html)
    expect($('section pre').attr('class')).toContain('shiki')
    expect($('section pre').attr('style')).toContain('var(--marp-shiki-background)')
    expect($('.hljs-keyword')).toHaveLength(0)
  })

  it('the same code in one engine: each deck gets its theme’s highlighter, whichever renders first', async () => {
    const first = await renderSource(path.join(dir, 'slides/a.md'), deckOn('hljs-dark'), ctx)
    const second = await renderSource(path.join(dir, 'slides/b.md'), deckOn('palette-3'), ctx)
    const third = await renderSource(path.join(dir, 'slides/c.md'), deckOn('hljs-dark'), ctx)
    expect(first.html).toContain('hljs-keyword')
    expect(second.html).not.toContain('hljs-keyword')
    expect(third.html).toBe(first.html)
  })
})

describe('which theme CSS is written for highlight.js', () => {
  it('a .hljs selector makes it so, unless the theme also sets shiki variables; comments do not count', () => {
    expect(styledForHljs(['pre { background: #000 }', '.hljs-keyword { color: red }'])).toBe(true)
    expect(styledForHljs(['section pre code.hljs { color: red }'])).toBe(true)
    expect(styledForHljs(['.hljs-string { color: red } section { --marp-shiki-token-string: red; }'])).toBe(false)
    expect(styledForHljs(['/* was .hljs-keyword before marp-core 5 */ pre { color: red }'])).toBe(false)
    expect(styledForHljs(['.hljsx { color: red }', 'a.not-hljs { color: red }'])).toBe(false)
  })
})
