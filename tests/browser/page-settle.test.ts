import path from 'node:path'
import type { Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { onlySlides, pageContent } from '../../src/browser/page-content.js'
import { loadDeck, updateDeck } from '../../src/browser/page.js'
import { Builder } from '../../src/pipeline/builder.js'
import { renderDeck, type RenderedDeck } from '../../src/render/render.js'
import { buildOptions, tempProject } from '../helpers/project.js'

// A settled print page (src/browser/page.ts): every slide in the layout, Marp's auto-scaling
// applied, and no animation-frame loop left running (Marp's elements poll their style each frame).
const CODE = '```js\n' + `const line = "${'a line long enough to be shrunk by auto-scaling '.repeat(3)}"\n`.repeat(3) + '```'
const DECK = `---\nmarp: true\ntheme: default\n---\n\n# <!-- fit --> A fitted heading\n\n${CODE}\n\n---\n\n## Two\n\n${CODE}\n\n---\n\n## Three\n`

let project: { dir: string; cleanup: () => Promise<void> }
let builder: Builder
let deck: RenderedDeck

beforeAll(async () => {
  project = await tempProject({ 'slides/talk.md': DECK })
  builder = new Builder(buildOptions(project.dir, { formats: ['pdf'] }))
  await builder.init()
  deck = await renderDeck(path.join(project.dir, 'slides/talk.md'), builder.renderContext)
})

afterAll(async () => {
  await builder?.close()
  await project?.cleanup()
})

/** Animation frames the page asks for in 300 ms. */
const framesAsked = (page: Page) =>
  page.evaluate(async () => {
    let asked = 0
    const raf = window.requestAnimationFrame.bind(window)
    window.requestAnimationFrame = (cb) => {
      asked += 1
      return raf(cb)
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    window.requestAnimationFrame = raf
    return asked
  })

/** Per slide: laid out (height), and the drawn scale of each auto-scaled element. */
const layout = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('svg[data-marpit-svg]')].map((svg) => ({
      height: Math.round(svg.getBoundingClientRect().height),
      scaled: [...svg.querySelectorAll('[data-auto-scaling]')].map((host) => {
        const inner = host.shadowRoot?.querySelector('marp-auto-scaling')?.shadowRoot?.querySelector('svg')
        const vb = inner?.viewBox.baseVal
        return inner && vb?.width ? Math.round((inner.getBoundingClientRect().width / vb.width) * 100) / 100 : null
      }),
    })),
  )

describe('a settled print page', () => {
  it('has every slide laid out and scaled, and asks for no more animation frames', async () => {
    await builder.browser.withPage(async (page) => {
      await loadDeck(page, deck)
      const slides = await layout(page)
      expect(slides.map((s) => s.height)).toEqual([720, 720, 720])
      // The fitted heading is scaled up to the slide's width, both code blocks down to it.
      expect(slides.map((s) => s.scaled.map((scale) => (scale! > 1 ? 'up' : scale! < 1 ? 'down' : scale)))).toEqual([
        ['up', 'down'],
        ['down'],
        [],
      ])
      expect(await page.$$('[data-deck-held]')).toHaveLength(0)
      expect(await framesAsked(page)).toBe(0)
    })
  })

  it('the same after slides are swapped in place', async () => {
    await builder.browser.withPage(async (page) => {
      const content = pageContent(deck)!
      await loadDeck(page, deck, onlySlides(content, [3]))
      const whole = await builder.browser.withPage(async (other) => {
        await loadDeck(other, deck)
        return layout(other)
      })
      await updateDeck(page, deck, onlySlides(content, [3]), content)
      expect(await layout(page)).toEqual(whole)
      expect(await page.$$('[data-deck-held]')).toHaveLength(0)
      expect(await framesAsked(page)).toBe(0)
    })
  })
})
