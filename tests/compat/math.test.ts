import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { load } from 'cheerio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import { renderSource, type RenderContext } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import { embeddedFonts, readPdf } from '../helpers/outputs.js'
import { inkPixels, rasterizePdfPage } from '../helpers/raster.js'
import { buildOptions, FIXTURES, tempProject } from '../helpers/project.js'

/**
 * The `math` directive and the `math` setting choose MathJax (marp-core's default: SVG, no
 * font) or KaTeX (its fonts inlined); both self-contained; an unknown value is a finding.
 */

const COMPAT = path.join(FIXTURES, 'compat')

let dir: string
let cleanup: () => Promise<void>
let builder: Builder
let ctx: RenderContext

beforeAll(async () => {
  const files: Record<string, string> = {}
  for (const name of ['math-mathjax.md', 'math-katex.md']) files[`slides/${name}`] = await readFile(path.join(COMPAT, name), 'utf8')
  const p = await tempProject(files)
  dir = p.dir
  cleanup = p.cleanup
  const themes = new ThemeRegistry(dir)
  await themes.addPath(path.join(dir, 'css'))
  ctx = { themes, html: false, fetchRemote: false, remoteTimeoutMs: 500 }
  builder = new Builder(buildOptions(dir, { formats: ['html', 'pdf'] }))
  await builder.init()
  for (const name of ['math-mathjax', 'math-katex']) {
    const result = await builder.buildDeck(path.join(dir, `slides/${name}.md`))
    expect(result.errors).toEqual([])
  }
})

afterAll(async () => {
  await builder?.close()
  await cleanup?.()
})

const html = async (name: string) => readFile(path.join(dir, `dist/${name}.html`), 'utf8')

describe('math: mathjax', () => {
  it('renders MathJax SVG in the HTML, no KaTeX markup and no math font', async () => {
    const text = await html('math-mathjax')
    const $ = load(text)
    expect($('section mjx-container[jax="SVG"] > svg path[d]').length).toBeGreaterThan(10)
    // The display formula and the two inline ones (\mathbb{R}'s glyph is one MathJax loads on demand).
    expect($('section mjx-container')).toHaveLength(3)
    expect($('.katex')).toHaveLength(0)
    expect(text).not.toContain('KaTeX_')
    expect($('section').text()).not.toContain('\\int')
  })

  it('shows the math in the PDF: ink where the formula is, no font needed', async () => {
    const pdf = path.join(dir, 'dist/math-mathjax.pdf')
    expect((await readPdf(pdf)).pages).toBe(2)
    // Slide 1 holds only the display formula, on the default theme's white: all its ink is the math.
    const page = await rasterizePdfPage(pdf, 1)
    expect(inkPixels(page)).toBeGreaterThan(800)
    expect((await embeddedFonts(pdf)).filter((f) => /KaTeX|MathJax/i.test(f))).toEqual([])
  })
})

describe('math: katex', () => {
  it('still renders KaTeX, with its fonts inlined and embedded in the PDF', async () => {
    const text = await html('math-katex')
    const $ = load(text)
    expect($('section .katex-display')).toHaveLength(1)
    expect($('mjx-container')).toHaveLength(0)
    expect(text).toMatch(/font-family:\s*"?KaTeX_Main/)
    expect((await embeddedFonts(path.join(dir, 'dist/math-katex.pdf'))).some((f) => f.startsWith('KaTeX_'))).toBe(true)
  })
})

describe('the math setting and the directive', () => {
  const body = '\n# M\n\n$x^2$\n'
  it('marp-core’s default is MathJax; the setting picks KaTeX; a deck’s directive wins over the setting', async () => {
    const byDefault = await renderSource(path.join(dir, 'slides/d.md'), `---\nmarp: true\n---\n${body}`, ctx)
    expect(byDefault.html).toContain('<mjx-container')
    const katex = await renderSource(path.join(dir, 'slides/k.md'), `---\nmarp: true\n---\n${body}`, { ...ctx, math: 'katex' })
    expect(katex.html).toContain('class="katex')
    const directive = await renderSource(path.join(dir, 'slides/m.md'), `---\nmarp: true\nmath: mathjax\n---\n${body}`, {
      ...ctx,
      math: 'katex',
    })
    expect(directive.html).toContain('<mjx-container')
    expect(directive.html).not.toContain('class="katex')
  })

  it('an unknown math value is a finding at its line; the deck uses the default library', async () => {
    const deck = await renderSource(path.join(dir, 'slides/u.md'), `---\nmarp: true\nmath: mathml\n---\n${body}`, ctx)
    const found = deck.diagnostics.filter((d) => d.rule === 'directive-value')
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ line: 3, severity: 'warning' })
    expect(found[0]!.message).toContain('`math: mathml`')
    expect(found[0]!.hint).toContain('math: katex')
    expect(deck.html).toContain('<mjx-container')
  })

  it('MathJax errors are findings at the line: an unknown command, a formula that does not parse', async () => {
    const src = `---\nmarp: true\n---\n\n$\\nosuchcommand x$\n\n$$\n\\frac{1}{\n$$\n`
    const deck = await renderSource(path.join(dir, 'slides/e.md'), src, ctx)
    const found = deck.diagnostics.filter((d) => d.rule === 'math')
    expect(found.map((d) => d.line)).toEqual([5, 7])
    expect(found[0]!.message).toContain('\\nosuchcommand')
  })

  it('the same formula gives the same SVG every time', async () => {
    const src = `---\nmarp: true\n---\n\n$$\n\\sum_{k=1}^n k = \\frac{n(n+1)}{2}\n$$\n`
    const a = await renderSource(path.join(dir, 'slides/s.md'), src, ctx)
    const b = await renderSource(path.join(dir, 'slides/s.md'), src, ctx)
    expect(b.html).toBe(a.html)
    expect(b.css).toBe(a.css)
  })
})
