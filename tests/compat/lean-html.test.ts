import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildHtml } from '../../src/export/html.js'
import { namedFontFamilies } from '../../src/render/assets.js'
import { renderDeck, renderSource, type RenderContext } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import { makePng } from '../helpers/png.js'
import { FIXTURES, SEED, tempProject } from '../helpers/project.js'

/**
 * The HTML deck carries only what its slides use: our fonts only when the deck's CSS names
 * them, KaTeX's fonts only with KaTeX math, and each picture once however often it is shown.
 */

let dir: string
let cleanup: () => Promise<void>
let ctx: RenderContext

// Noise, so the picture does not compress to nothing and is large enough to be shared.
let seed = 11
const noise = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256
const PICTURE = makePng(300, 200, () => [noise(), noise(), noise()])

beforeAll(async () => {
  const p = await tempProject({ 'slides/pic.png': PICTURE })
  dir = p.dir
  cleanup = p.cleanup
  const themes = new ThemeRegistry(dir)
  await themes.addPath(path.join(dir, 'css'))
  ctx = { themes, html: false, fetchRemote: false, remoteTimeoutMs: 500 }
})

afterAll(async () => {
  await cleanup?.()
})

/** The font families of the @font-face rules in an HTML deck. */
const fontFaces = (html: string): string[] =>
  [...new Set([...html.matchAll(/@font-face\s*\{[^}]*?font-family:\s*["']?([^;"']+)/g)].map((m) => m[1]!))].sort()

describe('fonts', () => {
  it('the default-theme fixture has no @font-face of fonts it does not use', async () => {
    const html = await buildHtml(await renderDeck(path.join(FIXTURES, 'compat/lean-default.md'), ctx))
    expect(fontFaces(html)).toEqual([])
    expect(html).not.toMatch(/font\/woff2/)
    // Before fonts were chosen per deck this HTML was 517,521 bytes; the fonts were 410 KB of it.
    expect(html.length).toBeLessThan(150_000)
  })

  it.each(['gaia', 'uncover'])('a deck on %s gets none either', async (theme) => {
    const deck = await renderSource(path.join(dir, `slides/${theme}.md`), `---\nmarp: true\ntheme: ${theme}\n---\n\n# A\n\n\`x\`\n`, ctx)
    expect(fontFaces(await buildHtml(deck))).toEqual([])
  })

  it('the seed still has the fonts its theme uses: Inter and JetBrains Mono', async () => {
    const html = await buildHtml(await renderDeck(SEED, ctx))
    expect(fontFaces(html)).toEqual(['Inter', 'JetBrains Mono'])
  })

  it('a deck’s own style naming a font gets that font only', async () => {
    const src = '---\nmarp: true\ntheme: default\n---\n\n<style>\nsection { font: 700 30px/1.2 "Inter", sans-serif; }\n</style>\n\n# A\n'
    const deck = await renderSource(path.join(dir, 'slides/own.md'), src, ctx)
    expect(fontFaces(await buildHtml(deck))).toEqual(['Inter'])
  })

  it('reads the families a declaration names, not those an @font-face defines', () => {
    const css = '@font-face{font-family:"JetBrains Mono";src:url(x)} a{--mono: x, "JetBrains Mono"} b{font:italic 12px Inter,serif}'
    const named = namedFontFamilies(css, '<p style="font-family:&quot;Fira Code&quot;">')
    expect(named.has('jetbrains mono')).toBe(true)
    expect(named.has('inter')).toBe(true)
    expect(named.has('fira code')).toBe(true)
    expect(namedFontFamilies('@font-face{font-family:Inter;src:url(x)}', '').has('inter')).toBe(false)
  })

  it('KaTeX’s fonts only with KaTeX math', async () => {
    const plain = await renderSource(path.join(dir, 'slides/p.md'), '---\nmarp: true\nmath: katex\n---\n\n# No math\n', ctx)
    expect(plain.fontCss).not.toContain('KaTeX_')
    const math = await renderSource(path.join(dir, 'slides/k.md'), '---\nmarp: true\nmath: katex\n---\n\n$x$\n', ctx)
    expect(math.fontCss).toContain('KaTeX_Main')
  })
})

describe('pictures', () => {
  it('a picture shown 3 times is embedded once', async () => {
    const file = path.join(dir, 'slides/three.md')
    await writeFile(file, '---\nmarp: true\n---\n\n![](pic.png)\n\n---\n\n![bg](pic.png)\n\n---\n\n![w:200](./pic.png)\n')
    const html = await buildHtml(await renderDeck(file, ctx))
    const payload = PICTURE.toString('base64')
    expect(html.split(payload).length - 1).toBe(1)
    expect(html.length).toBeLessThan(payload.length + 150_000)
  })

  it('emoji are embedded only when a slide shows one', async () => {
    const none = await renderSource(path.join(dir, 'slides/n.md'), '---\nmarp: true\n---\n\n# Plain\n', ctx)
    expect(none.html).not.toContain('data-marp-twemoji')
    const some = await renderSource(path.join(dir, 'slides/e.md'), '---\nmarp: true\n---\n\n# 😀\n\n---\n\n😀 again\n', ctx)
    const emoji = some.html.match(/<img[^>]*data-marp-twemoji[^>]*>/g) ?? []
    expect(emoji).toHaveLength(2)
    for (const img of emoji) expect(img).toMatch(/src="data:image\/svg\+xml;base64,/)
  })
})
