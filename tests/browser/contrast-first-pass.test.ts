import path from 'node:path'
import type { Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDeck } from '../../src/browser/page.js'
import { ensureAxe, probeContrast } from '../../src/lint/contrast.js'
import { Builder } from '../../src/pipeline/builder.js'
import { renderDeck, type RenderedDeck } from '../../src/render/render.js'
import { buildOptions, PNG_1PX, tempProject } from '../helpers/project.js'

// The contrast probe leaves text that plainly passes out of axe-core's run (src/lint/contrast.ts).
// What axe is asked to judge is recorded in the page, and what the probe finds is compared with
// axe run over the whole page, as the probe ran before the first pass.
const SLIDES = [
  '# Plain\n\nBlack on white, a [link](https://example.com) and `code`.\n\n- one\n- two',
  '<!-- _color: "#8a8a8a" -->\n<!-- _backgroundColor: "#a0a0a0" -->\n\n## Grey on grey\n\nHard to read.',
  '## A faint word\n\nAll readable but <span style="color:#c8c8c8">this</span>.',
  // Dark text that passes on its ancestors' white, over a positioned dark box: only the
  // hit test in axe sees the box.
  '<div style="position:absolute;inset:0;background:#202020"></div>\n\n## Over a box\n\n<p style="position:relative;color:#333">Dark on dark.</p>',
  '![bg left](img/dot.png)\n\n## Beside a picture',
  // Dark text over a later box pulled up under it by a negative margin. axe gives up on it
  // ("incomplete", bgOverlap: the box is not an ancestor), so the first pass, which passes it on
  // its ancestors' white, finds what axe finds. LINT.md names the gap.
  '## Pulled up\n\n<p style="color:#333">Dark on dark.</p>\n<div style="background:#202020;height:200px;margin-top:-160px"></div>',
]
const DECK = `---\nmarp: true\ntheme: default\n---\n\n${SLIDES.join('\n\n---\n\n')}\n`

let project: { dir: string; cleanup: () => Promise<void> }
let builder: Builder
let deck: RenderedDeck

beforeAll(async () => {
  project = await tempProject({ 'slides/talk.md': DECK, 'slides/img/dot.png': PNG_1PX })
  builder = new Builder(buildOptions(project.dir, { formats: ['pdf'], html: true }))
  await builder.init()
  deck = await renderDeck(path.join(project.dir, 'slides/talk.md'), builder.renderContext)
})

afterAll(async () => {
  await builder?.close()
  await project?.cleanup()
})

/** What each axe.run of the probe was asked to judge: `svg N` for a whole slide, else the element's tag. */
async function recordAxe(page: Page): Promise<void> {
  await ensureAxe(page)
  await page.evaluate(() => {
    const w = window as unknown as { axe: { run: (ctx: { include: Element[] }, o: object) => Promise<unknown> }; judged: string[][] }
    const run = w.axe.run.bind(w.axe)
    const svgs = [...document.querySelectorAll('svg[data-marpit-svg]')]
    w.judged = []
    w.axe.run = (ctx, o) => {
      w.judged.push(ctx.include.map((el) => (svgs.includes(el) ? `svg ${svgs.indexOf(el) + 1}` : el.localName)))
      return run(ctx, o)
    }
  })
}
const judged = (page: Page) => page.evaluate(() => (window as unknown as { judged: string[][] }).judged.splice(0))

/** axe's own verdict over the whole page, the slides of its violations. */
async function wholePageViolations(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (c: object, o: object) => Promise<{ violations: Array<{ nodes: Array<{ element?: Element }> }> }> }
      }
    ).axe
    const svgs = [...document.querySelectorAll('svg[data-marpit-svg]')]
    const r = await axe.run(
      { include: [['html']], exclude: [['marp-pre'], ['pre']] },
      { runOnly: { type: 'rule', values: ['color-contrast'] }, resultTypes: ['violations'], elementRef: true },
    )
    const slides = r.violations.flatMap((v) => v.nodes.map((n) => svgs.indexOf(n.element!.closest('svg[data-marpit-svg]')!) + 1))
    return [...new Set(slides)].sort((a, b) => a - b)
  })
}

describe('the contrast probe’s first pass', () => {
  it('leaves plainly passing text out of axe, and axe out entirely when nothing is left', async () => {
    await builder.browser.withPage(async (page) => {
      await loadDeck(page, deck)
      await recordAxe(page)
      expect(await probeContrast(page, [1])).toEqual([])
      expect(await judged(page)).toEqual([])
    })
  })

  it('sends axe the failing text alone, and whole slides where something may lie behind the text', async () => {
    await builder.browser.withPage(async (page) => {
      await loadDeck(page, deck)
      await recordAxe(page)
      const found = await probeContrast(page)
      expect(await judged(page)).toEqual([['h2', 'p', 'span', 'svg 4', 'svg 5']])
      expect([...new Set(found.map((n) => n.slide))]).toEqual([2, 3, 4])
      expect(found.find((n) => n.slide === 4)).toMatchObject({ fg: '#333333', bg: '#202020' })
    })
  })

  it('finds what axe finds over the whole page', async () => {
    await builder.browser.withPage(async (page) => {
      await loadDeck(page, deck)
      await ensureAxe(page)
      const whole = await wholePageViolations(page)
      expect(whole).toEqual([2, 3, 4])
      expect([...new Set((await probeContrast(page)).map((n) => n.slide))]).toEqual(whole)
    })
  })
})
