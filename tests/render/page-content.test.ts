import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { changedSlides, contentHtml, onlySlides, pageContent } from '../../src/browser/page-content.js'
import { renderSource, type RenderContext, type RenderedDeck } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import { ROOT } from '../helpers/project.js'

// Which slides a save changed, from two renders of the same deck: what watch mode replaces in the
// warm print page and measures again.
let ctx: RenderContext
beforeAll(async () => {
  const themes = new ThemeRegistry(ROOT)
  await themes.addPath(path.join(ROOT, 'css'))
  ctx = { themes, html: true, fetchRemote: false, remoteTimeoutMs: 500 }
})

const FILE = path.join(ROOT, 'slides/page-content-test.md')
const deck = (slides: string[], frontMatter = 'theme: palette-3') =>
  `---\nmarp: true\n${frontMatter}\n---\n\n${slides.join('\n\n---\n\n')}\n`
const render = (markdown: string): Promise<RenderedDeck> => renderSource(FILE, markdown, ctx)
const FIVE = ['# One', '# Two\n\n- a list', '# Three', '# Four\n\n```js\nlet x = 1\n```', '# Five']

describe('pageContent', () => {
  it('splits the render into one <svg> element per slide and a frame, losing nothing', async () => {
    const d = await render(deck(FIVE))
    const content = pageContent(d)!
    expect(content.slides).toHaveLength(5)
    for (const s of content.slides) {
      expect(s.startsWith('<svg data-marpit-svg')).toBe(true)
      expect(s.endsWith('</svg>')).toBe(true)
    }
    expect(contentHtml(content)).toBe(d.html)
    expect(content.open).toMatch(/^<div id="[^"]+">$/)
    expect(content.slides[3]).toContain('let')
  })

  it('gives up (every slide counts as changed) when raw HTML imitates a slide', async () => {
    const d = await render(deck(['# One', '<svg data-marpit-svg=""></svg>\n\n# Two']))
    expect(pageContent(d)).toBeUndefined()
    expect(changedSlides(pageContent(d), pageContent(d))).toBe('all')
  })
})

describe('onlySlides', () => {
  it("empties every other slide but keeps its size, and keeps the slide with Marp's script", async () => {
    const content = pageContent(await render(deck(FIVE)))!
    const only = onlySlides(content, [2])
    expect(only.slides).toHaveLength(5)
    expect(only.slides[1]).toBe(content.slides[1])
    expect(only.slides[4]).toBe(content.slides[4])
    expect(only.slides[4]).toContain('<script')
    for (const i of [0, 2, 3]) expect(only.slides[i]).toBe('<svg data-marpit-svg="" viewBox="0 0 1280 720"></svg>')
    expect(changedSlides(content, only)).toEqual([1, 3, 4])
  })
})

describe('changedSlides', () => {
  const changed = async (before: string, after: string) =>
    changedSlides(pageContent(await render(before)), pageContent(await render(after)))

  it('is empty for the same slides, even when only Markdown line positions moved', async () => {
    expect(await changed(deck(FIVE), deck(FIVE))).toEqual([])
    expect(await changed(deck(FIVE), deck(FIVE).replace('# Two', '\n\n\n# Two'))).toEqual([])
  })

  it('names the edited slides', async () => {
    const edited = [...FIVE]
    edited[1] = '# Two\n\n- a longer list'
    edited[4] = '# Five, edited'
    expect(await changed(deck(FIVE), deck(edited))).toEqual([2, 5])
  })

  it('is "all" when the CSS, the size or the slide count changed', async () => {
    expect(await changed(deck(FIVE), deck(FIVE, 'theme: palette-3\nstyle: "section { color: #123 }"'))).toBe('all')
    expect(await changed(deck(FIVE), deck(FIVE, 'theme: palette-3\nsize: 4:3'))).toBe('all')
    expect(await changed(deck(FIVE), deck([...FIVE, '# Six']))).toBe('all')
    expect(changedSlides(undefined, pageContent(await render(deck(FIVE))))).toBe('all')
  })
})
