import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder, type PageCheck } from '../../src/pipeline/builder.js'
import { type DeckResult } from '../../src/pipeline/types.js'
import { sortDiagnostics, type Diagnostic } from '../../src/util/diagnostics.js'
import { onlySlides, pageContent } from '../../src/browser/page-content.js'
import { loadDeck, updateDeck } from '../../src/browser/page.js'
import { probeContrast } from '../../src/lint/contrast.js'
import { pageChecks } from '../../src/lint/browser-rules.js'
import { installLint } from '../../src/lint/index.js'
import { probeSlides } from '../../src/lint/page-probe.js'
import { renderDeck } from '../../src/render/render.js'
import { WarmPages } from '../../src/browser/warm-pages.js'
import { readPdf } from '../helpers/outputs.js'
import { buildOptions, SEED, tempProject } from '../helpers/project.js'

// Watch mode keeps each deck's print page warm: a save replaces the slides it changed and the
// page checks measure those slides only, keeping what they found on the others. Every step is
// compared with a full check of the same file on a fresh page, which must agree exactly.
const THEME = `/* @theme tall */
@import 'default';
section.tall { padding: 0; }
section.tall h2 { margin: 0; padding: 0; border: 0; height: 100px; box-sizing: border-box; }
section.tall pre { margin: 0; height: 700px; box-sizing: border-box; }
`
// Headings differ from slide to slide: Marp numbers repeated heading ids across the deck, so a
// repeated heading on slide 3 would change the id, and the markup, of the same heading further on.
const tall = (name: string) => `<!-- _class: tall -->\n\n## Tall ${name}\n\n\`\`\`text\nthis block runs 80px past the bottom\n\`\`\``
const GREY = '<!-- _color: "#8a8a8a" -->\n<!-- _backgroundColor: "#a0a0a0" -->\n\n# Grey on grey\n\nHard to read.'
const slides = (third: string) => ['# One', tall('two'), third, GREY, tall('five'), '# Six']
const deck = (list: string[], head = '') => `---\nmarp: true\ntheme: tall\n---\n${head}\n${list.join('\n\n---\n\n')}\n`

const brief = (list: Diagnostic[]) =>
  sortDiagnostics(list).map((d) => ({ rule: d.rule, slide: d.slide, line: d.line, ...(d.px !== undefined ? { px: d.px } : {}) }))

describe('page checks on a warm page in watch mode', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let builder: Builder
  const file = () => path.join(dir, 'slides/talk.md')
  /** The slides each run asked the checks to measure (undefined: all of them). */
  const asked: Array<number[] | undefined> = []
  /** The slides with content in the page each run measured on. */
  const shown: number[][] = []
  let failNext = false

  // A check of our own next to lint's: it sees what the Builder asks of every page check.
  const spy: PageCheck = {
    async measure(page, _deck, only) {
      asked.push(only ? [...only] : undefined)
      // The page it is given holds the slides it is asked for, and nothing else that costs.
      const full = await page.evaluate(() => [...document.querySelectorAll('svg[data-marpit-svg]')].map((svg) => svg.childElementCount > 0))
      shown.push(full.flatMap((hasContent, i) => (hasContent ? [i + 1] : [])))
      if (failNext) {
        failNext = false
        throw new Error('measurement failed on purpose')
      }
      return []
    },
    findings: () => [],
    failed: () => [],
  }

  /** Save the deck and run the page checks on the warm page, as the watcher's browser lane does. */
  const save = async (markdown: string): Promise<DeckResult> => {
    await writeFile(file(), markdown)
    const rendered = await renderDeck(file(), builder.renderContext)
    const r = await builder.exportDeck(rendered, [])
    expect(r.errors).toEqual([])
    return r
  }

  /** The same file checked in full on a fresh page, as `deck lint` does. */
  const fullCheck = async (): Promise<DeckResult> => {
    builder.keepPages = false
    try {
      const r = await builder.inspectDeck(file())
      expect(r.errors).toEqual([])
      return r
    } finally {
      builder.keepPages = true
    }
  }
  const pageFindings = (r: DeckResult) => brief(r.diagnostics.filter((d) => ['overflow', 'code-size', 'contrast'].includes(d.rule)))

  beforeAll(async () => {
    const p = await tempProject({ 'css/tall.css': THEME })
    dir = p.dir
    cleanup = p.cleanup
    builder = new Builder(buildOptions(dir, { formats: ['html', 'pdf'] }))
    builder.keepPages = true
    await builder.init()
    await installLint(builder)
    builder.pageChecks.push(spy)
  })

  afterAll(async () => {
    await builder?.close()
    await cleanup?.()
  })

  it('checks every slide on the first run, and finds overflow on 2 and 5 and contrast on 4', async () => {
    const r = await save(deck(slides('# Three')))
    expect(asked.at(-1)).toBeUndefined()
    expect(pageFindings(r)).toEqual([
      { rule: 'overflow', slide: 2, line: 14, px: 80 },
      { rule: 'contrast', slide: 4, line: 22 },
      { rule: 'overflow', slide: 5, line: 37, px: 80 },
    ])
    expect(brief(r.diagnostics)).toEqual(brief((await fullCheck()).diagnostics))
  })

  it('an edit of slide 3 measures slide 3 only, and keeps the findings of the others', async () => {
    const r = await save(deck(slides('# Three\n\nEdited text.')))
    expect(asked.at(-1)).toEqual([3])
    // Slide 6 holds Marp's inline script, which defines its custom elements.
    expect(shown.at(-1)).toEqual([3, 6])
    expect(pageFindings(r).map((d) => d.slide)).toEqual([2, 4, 5])
    expect(brief(r.diagnostics)).toEqual(brief((await fullCheck()).diagnostics))
  })

  it('reports overflow brought into the edited slide, and drops it when fixed', async () => {
    const broken = await save(deck(slides(tall('three'))))
    expect(asked.at(-1)).toEqual([3])
    expect(
      pageFindings(broken)
        .filter((d) => d.rule === 'overflow')
        .map((d) => [d.slide, d.px]),
    ).toEqual([
      [2, 80],
      [3, 80],
      [5, 80],
    ])
    expect(brief(broken.diagnostics)).toEqual(brief((await fullCheck()).diagnostics))

    const fixed = await save(deck(slides('# Three, fixed')))
    expect(asked.at(-1)).toEqual([3])
    expect(
      pageFindings(fixed)
        .filter((d) => d.rule === 'overflow')
        .map((d) => d.slide),
    ).toEqual([2, 5])
  })

  it('kept findings move with their slide when lines above them move', async () => {
    const runs = asked.length
    const r = await save(deck(slides('# Three, fixed'), '\n\n\n'))
    // The slides render the same, so nothing is measured, yet every line is three further down.
    expect(asked.length).toBe(runs)
    expect(pageFindings(r)).toContainEqual({ rule: 'overflow', slide: 5, line: 40, px: 80 })
    expect(brief(r.diagnostics)).toEqual(brief((await fullCheck()).diagnostics))
  })

  it('checks every slide again after a theme CSS change, a new slide, or a failed check', async () => {
    const css = path.join(dir, 'css/tall.css')
    await writeFile(css, THEME.replace('height: 700px', 'height: 650px'))
    await builder.themes.addFile(css)
    const themed = await save(deck(slides('# Three, fixed')))
    expect(asked.at(-1)).toBeUndefined()
    expect(shown.at(-1)).toEqual([1, 2, 3, 4, 5, 6])
    // 650px of code under a 100px heading: 30px past the bottom now.
    expect(
      pageFindings(themed)
        .filter((d) => d.rule === 'overflow')
        .map((d) => [d.slide, d.px]),
    ).toEqual([
      [2, 30],
      [5, 30],
    ])
    expect(brief(themed.diagnostics)).toEqual(brief((await fullCheck()).diagnostics))

    const longer = await save(deck([...slides('# Three, fixed'), '# Seven']))
    expect(asked.at(-1)).toBeUndefined()
    expect(brief(longer.diagnostics)).toEqual(brief((await fullCheck()).diagnostics))

    failNext = true
    await save(deck([...slides('# Three, failed'), '# Seven']))
    expect(asked.at(-1)).toEqual([3])
    await save(deck([...slides('# Three, after the failure'), '# Seven']))
    expect(asked.at(-1)).toBeUndefined()
  })

  it('prints a PDF from the updated page that shows every edit', async () => {
    await save(deck([...slides('# Three, for the PDF'), '# Seven']))
    expect(asked.at(-1)).toEqual([3])
    const runs = asked.length
    const built = await builder.buildDeck(file(), ['pdf'])
    expect(built.errors).toEqual([])
    expect(asked.length).toBe(runs)
    const pdf = await readPdf(path.join(dir, 'dist/talk.pdf'))
    expect(pdf.pages).toBe(7)
    expect(pdf.text[2]).toContain('Three, for the PDF')
    expect(pdf.text[6]).toContain('Seven')
    expect(brief(built.diagnostics)).toEqual(brief((await fullCheck()).diagnostics))
  })

  it('updating the print page replaces only the slides that changed', async () => {
    const before = await renderDeck(file(), builder.renderContext)
    await writeFile(file(), deck([...slides('# Three, replaced alone'), '# Seven']))
    const after = await renderDeck(file(), builder.renderContext)
    await builder.browser.withPage(async (page) => {
      await loadDeck(page, before)
      const mark = () =>
        page.evaluate(() => document.querySelectorAll('svg[data-marpit-svg]').forEach((svg) => svg.setAttribute('data-test-seen', '')))
      const unmarked = () =>
        page.evaluate(() =>
          [...document.querySelectorAll('svg[data-marpit-svg]')].flatMap((svg, i) => (svg.hasAttribute('data-test-seen') ? [] : [i + 1])),
        )
      await mark()
      await updateDeck(page, after, pageContent(before))
      expect(await unmarked()).toEqual([3])
      expect(await page.$$eval('svg[data-marpit-svg]', (svgs) => svgs.map((svg) => svg.textContent ?? ''))).toEqual(
        pageContent(after)!.slides.map((_, i) =>
          expect.stringContaining(['One', 'two', 'replaced alone', 'Grey', 'five', 'Six', 'Seven'][i]!),
        ),
      )
      // Without knowing what the page shows, every slide is swapped.
      await mark()
      await updateDeck(page, after)
      expect(await unmarked()).toEqual([1, 2, 3, 4, 5, 6, 7])
    })
  })

  it('a page holding only some slides measures them as the whole page does', async () => {
    const seed = await renderDeck(SEED, builder.renderContext)
    const some = [9, 11, 12, 14, 15]
    const [whole, alone] = await Promise.all(
      [undefined, onlySlides(pageContent(seed)!, some)].map((content) =>
        builder.browser.withPage(async (page) => {
          await loadDeck(page, seed, content)
          await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
          return { boxes: await page.evaluate(probeSlides, some), contrast: await probeContrast(page, some) }
        }),
      ),
    )
    expect(alone).toEqual(whole)
    // Code on these slides is shrunk by Marp's auto-scaling: its custom elements work in both.
    expect(whole!.boxes.filter((s) => s.code.some((c) => c.scale < 1)).map((s) => s.slide)).toEqual(some)
    expect(whole!.boxes.filter((s) => s.bottom > 0).map((s) => s.slide)).toEqual([9, 11, 12])
  })

  it('the probes measure only the slides they are given', async () => {
    const rendered = await renderDeck(file(), builder.renderContext)
    await builder.browser.withPage(async (page) => {
      await loadDeck(page, rendered)
      expect((await page.evaluate(probeSlides, [5, 2])).map((s) => [s.slide, s.bottom])).toEqual([
        [5, 30],
        [2, 30],
      ])
      expect(new Set((await probeContrast(page, [4])).map((n) => n.slide))).toEqual(new Set([4]))
      expect(await probeContrast(page, [1, 2, 3])).toEqual([])
      expect(new Set((await probeContrast(page)).map((n) => n.slide))).toEqual(new Set([4]))
    })
  })
})

describe('warm pages without a scratch page', () => {
  it('measure the changed slides in the print page instead, with the same findings', async () => {
    const p = await tempProject({ 'css/tall.css': THEME })
    const builder = new Builder(buildOptions(p.dir))
    await builder.init()
    let opened = 0
    const warm = new WarmPages(async () => {
      opened += 1
      if (opened > 1) throw new Error('no second page')
      return builder.browser.newPage()
    })
    const checks = pageChecks({ minCodeFontPx: 12 })
    const file = path.join(p.dir, 'slides/talk.md')
    const run = async (markdown: string) => {
      await writeFile(file, markdown)
      const rendered = await renderDeck(file, builder.renderContext)
      return brief(await warm.check(await warm.show(rendered), rendered, checks))
    }
    try {
      const first = await run(deck(slides('# Three')))
      const edited = await run(deck(slides(tall('three'))))
      expect(opened).toBe(2)
      expect(edited.filter((d) => d.rule === 'overflow').map((d) => d.slide)).toEqual([2, 3, 5])
      expect(await run(deck(slides('# Three')))).toEqual(first)
    } finally {
      warm.releaseAll()
      await builder.close()
      await p.cleanup()
    }
  })
})
