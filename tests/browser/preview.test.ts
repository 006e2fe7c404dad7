import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { findBrowser, needsNoSandbox } from '../../src/browser/find.js'
import { BADGE_CLASS, OVERLAY_ID } from '../../src/preview/client.js'
import { Printer } from '../../src/cli/printer.js'
import { overflowingSlides } from '../../src/lint/index.js'
import { startWatch, type WatchSession } from '../../src/watch/session.js'
import { buildOptions, tempProject } from '../helpers/project.js'
import { EventLog, until } from '../helpers/watch.js'

const deck = (fifth: string, first = '# One') =>
  '---\nmarp: true\ntheme: palette-3\n---\n\n' + [first, '# Two', '# Three', '# Four', `# Five\n\n${fifth}`, '# Six'].join('\n\n---\n\n')

/** The text of the slide the bespoke viewer shows. */
const activeSlideText = (page: Page) => page.$eval('.bespoke-marp-active', (el) => el.textContent ?? '')

/** The overlay's state and text, or null when there is none. */
const overlay = (page: Page) =>
  page.evaluate((id) => {
    const host = document.getElementById(id)
    return host ? { state: host.dataset['state'] ?? '', text: host.shadowRoot?.textContent ?? '' } : null
  }, OVERLAY_ID)

describe('live preview in headless Chromium', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let session: WatchSession
  let browser: Browser
  let page: Page
  const log = new EventLog()
  const out = new PassThrough()
  let printed = ''
  out.on('data', (c: Buffer) => (printed += c.toString()))
  const file = () => path.join(dir, 'slides/talk.md')

  beforeAll(async () => {
    const p = await tempProject({ 'slides/talk.md': deck('original text') })
    dir = p.dir
    cleanup = p.cleanup
    const printer = new Printer({ cwd: dir, quiet: false, stream: out })
    session = await startWatch({
      build: buildOptions(dir, { formats: ['html'] }),
      inputs: [],
      onEvent: (event) => printer.event(event),
      port: 0,
      events: log.events,
    })
    await until(() => log.html.length >= 1, 'the first build')
    await session.watcher.idle()
    browser = await puppeteer.launch({
      executablePath: findBrowser(),
      headless: true,
      args: needsNoSandbox() ? ['--no-sandbox', '--disable-setuid-sandbox'] : [],
    })
  })

  beforeEach(async () => {
    page = await browser.newPage()
  })

  afterEach(async () => {
    await page.close()
  })

  afterAll(async () => {
    await browser?.close()
    await session?.close()
    await session?.close()
    await cleanup?.()
  })

  /** Open the deck on slide 5, marked so that a reload is visible (the mark is lost). */
  const openOnSlide5 = async (query = '') => {
    await page.goto(`${session.url}/talk.html${query}`, { waitUntil: 'load' })
    await page.waitForSelector('.bespoke-marp-active')
    for (let i = 0; i < 4; i += 1) await page.keyboard.press('ArrowRight')
    await page.waitForFunction(
      () => location.hash === '#5' && document.querySelector('.bespoke-marp-active')?.textContent?.includes('Five'),
    )
    // Wait until the reload channel is open, so no message can be missed.
    await markStale()
  }

  /**
   * Mark the page: a reload loses the mark, an in-place update keeps it and counts up
   * `data-deck-updates`. Either way the page then shows the new build.
   */
  const markStale = async () => {
    await page.waitForFunction(() => document.documentElement.dataset['deckPreview'] === 'connected')
    await page.evaluate(() => {
      const w = window as unknown as { stale: boolean; updatesAtMark: number }
      w.stale = true
      w.updatesAtMark = Number(document.documentElement.dataset['deckUpdates'] ?? 0)
    })
  }

  /** Resolves with how the page took the new build: 'updated' in place or 'reloaded'. */
  const reloaded = async (): Promise<'updated' | 'reloaded'> => {
    await page.waitForFunction(
      () => {
        const w = window as unknown as { stale?: boolean; updatesAtMark?: number }
        const fresh = !w.stale || Number(document.documentElement.dataset['deckUpdates'] ?? 0) > (w.updatesAtMark ?? 0)
        return fresh && !!document.querySelector('.bespoke-marp-active')
      },
      { timeout: 30_000 },
    )
    return page.evaluate(() => ((window as unknown as { stale?: boolean }).stale ? 'updated' : 'reloaded'))
  }

  it('lists the deck on the index page', async () => {
    await page.goto(session.url, { waitUntil: 'load' })
    const links = await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href')))
    expect(links).toContain('/talk.html')
    expect(await page.content()).toContain('slides/talk.md')
  })

  it('reloads on save and comes back on the same slide with the new text', async () => {
    await openOnSlide5()
    const m = log.mark()
    await writeFile(file(), deck('edited on disk'))
    await reloaded()
    expect(log.html.length).toBeGreaterThan(m.html)
    expect(await page.evaluate(() => location.hash)).toBe('#5')
    expect(await activeSlideText(page)).toContain('edited on disk')
    expect(printed).toMatch(/slides\/talk\.md => dist\/talk\.html \(\d+ ms\)/)
  })

  it('applies an edit in place, without a reload, and the viewer still navigates', async () => {
    await openOnSlide5()
    await writeFile(file(), deck('patched in place'))
    expect(await reloaded()).toBe('updated')
    expect(await page.evaluate(() => location.hash)).toBe('#5')
    expect(await activeSlideText(page)).toContain('patched in place')
    await page.keyboard.press('ArrowRight')
    await page.waitForFunction(() => location.hash === '#6')
    await page.keyboard.press('ArrowLeft')
    await page.waitForFunction(() => location.hash === '#5')
    expect(await activeSlideText(page)).toContain('patched in place')
  })

  it('reloads instead when the slide count changes', async () => {
    await openOnSlide5()
    await writeFile(file(), `${deck('one slide more')}\n---\n\n# Extra\n`)
    expect(await reloaded()).toBe('reloaded')
    expect(await page.evaluate(() => location.hash)).toBe('#5')
    expect(await page.evaluate(() => document.querySelectorAll('svg[data-marpit-svg]').length)).toBeGreaterThan(5)
  })

  it('updates presenter view on the same slide', async () => {
    await page.goto(`${session.url}/talk.html?view=presenter#5`, { waitUntil: 'load' })
    await page.waitForSelector('.bespoke-marp-active')
    await markStale()
    await writeFile(file(), deck('presenter edit'))
    await reloaded()
    expect(await page.evaluate(() => location.search + location.hash)).toBe('?view=presenter#5')
    expect(await activeSlideText(page)).toContain('presenter edit')
  })

  it('shows an overlay with the error and file over the last good slides, and clears it on the next good build', async () => {
    await openOnSlide5()
    await writeFile(path.join(dir, 'slides/broken.css'), 'section { color: red }\n')
    await writeFile(file(), deck('broken').replace('theme: palette-3', 'theme: ./broken.css'))
    await page.waitForFunction((id) => document.getElementById(id)?.dataset['state'] === 'error', { timeout: 30_000 }, OVERLAY_ID)
    const shown = await overlay(page)
    expect(shown?.text).toContain('Build failed')
    expect(shown?.text).toContain('slides/broken.css')
    expect(shown?.text).toContain('no @theme name')
    // Not reloaded: the last good slides are still under the overlay, on the same slide.
    expect(await page.evaluate(() => (window as unknown as { stale?: boolean }).stale)).toBe(true)
    expect(await activeSlideText(page)).toContain('presenter edit')
    expect(printed).toContain(
      'slides/talk.md:3: error: theme `./broken.css` cannot be loaded: slides/broken.css: theme file has no @theme name',
    )

    // A page opened while the deck is broken shows the overlay too.
    const other = await browser.newPage()
    await other.goto(`${session.url}/talk.html`, { waitUntil: 'load' })
    await other.waitForFunction((id) => document.getElementById(id)?.dataset['state'] === 'error', { timeout: 30_000 }, OVERLAY_ID)
    expect((await overlay(other))?.state).toBe('error')
    await other.close()

    await writeFile(file(), deck('fixed again'))
    await reloaded()
    expect(await overlay(page)).toBeNull()
    expect(await page.evaluate(() => location.hash)).toBe('#5')
    expect(await activeSlideText(page)).toContain('fixed again')
  })

  it('shows front-matter warnings with file:line in a corner box', async () => {
    await openOnSlide5()
    await writeFile(file(), deck('with a typo').replace('marp: true', 'marp: true\npaginate: [true'))
    await reloaded()
    // The box is drawn by the page's script once it has the build's state, just after the reload.
    await page.waitForFunction((id) => document.getElementById(id)?.dataset['state'] === 'warning', { timeout: 30_000 }, OVERLAY_ID)
    const shown = await overlay(page)
    expect(shown?.state).toBe('warning')
    expect(shown?.text).toContain('slides/talk.md:3')
    expect(await activeSlideText(page)).toContain('with a typo')
    await markStale()
    await writeFile(file(), deck('clean'))
    await reloaded()
    expect(await overlay(page)).toBeNull()
  })

  it('badges overflowing slides and lists lint findings, then clears them', async () => {
    await openOnSlide5()
    const long = Array.from({ length: 30 }, (_, i) => `Overflowing paragraph line ${i + 1}`).join('\n\n')
    await writeFile(file(), deck(long))
    await reloaded()
    // Lint's page checks come after the HTML, from the browser lane.
    await page.waitForFunction((cls) => document.querySelectorAll(`.${cls}`).length > 0, { timeout: 30_000 }, BADGE_CLASS)
    const badged = await page.evaluate((cls) => {
      const svgs = [...document.querySelectorAll('svg[data-marpit-svg]')]
      return [...document.querySelectorAll(`.${cls}`)].map((b) => svgs.indexOf(b.closest('svg[data-marpit-svg]')!) + 1)
    }, BADGE_CLASS)
    expect(badged).toEqual([5])
    const shown = await overlay(page)
    expect(shown?.state).toBe('warning')
    expect(shown?.text).toMatch(/slides\/talk\.md:\d+ \(slide 5\)/)
    expect(shown?.text).toContain('overflow')
    expect(printed).toContain('[overflow]')

    // An edit of another slide measures that slide alone; slide 5 keeps its finding and badge.
    const m = log.mark()
    await markStale()
    await writeFile(file(), deck(long, '# One, edited'))
    await reloaded()
    const checked = await until(
      () => log.browser.slice(m.browser).find((b) => b.result.deck?.markdown.includes('One, edited')),
      'the page checks of the edit',
    )
    expect(overflowingSlides(checked.result)).toEqual([5])
    await page.waitForFunction((cls) => document.querySelectorAll(`.${cls}`).length > 0, { timeout: 30_000 }, BADGE_CLASS)
    expect(await activeSlideText(page)).toContain('Overflowing paragraph')
    // The fix of slide 5: its stale finding goes with the new HTML, before the page checks
    // measure it again, and stays gone after them.
    const fixed = log.mark()
    await markStale()
    await writeFile(file(), deck('clean'))
    // Whenever the page loads after the new HTML, it comes without the old finding.
    await until(() => log.html.slice(fixed.html).find((b) => b.result.deck?.markdown.includes('clean')), 'the HTML of the fix')
    const served = await (await fetch(`${session.url}/talk.html`)).text()
    expect(served).toContain('clean')
    expect(served.includes('slide 5 overflows'), 'the served page still carries the overflow of the fixed slide').toBe(false)
    await reloaded()
    const cleared = () =>
      page.waitForFunction(
        (cls, id) => document.querySelectorAll(`.${cls}`).length === 0 && !document.getElementById(id),
        { timeout: 30_000 },
        BADGE_CLASS,
        OVERLAY_ID,
      )
    await cleared()
    const rechecked = await until(
      () => log.browser.slice(fixed.browser).find((b) => b.result.deck?.markdown.includes('clean')),
      'the page checks of the fix',
    )
    expect(overflowingSlides(rechecked.result)).toEqual([])
    await cleared()
    expect(await overlay(page)).toBeNull()
  })

  it("keeps the warnings box off the viewer's buttons, collapsed and expanded, wide and narrow", async () => {
    await openOnSlide5()
    const long = Array.from({ length: 30 }, (_, i) => `Overflowing paragraph line ${i + 1}`).join('\n\n')
    await writeFile(file(), deck(long).replace('marp: true', 'marp: true\npaginate: [true'))
    await reloaded()
    await page.waitForFunction(
      (id) => (document.getElementById(id)?.shadowRoot?.textContent ?? '').includes('overflow'),
      { timeout: 30_000 },
      OVERLAY_ID,
    )
    /** The box's parts on screen, the viewer's buttons, and what is topmost at each button's centre. */
    const layout = () =>
      page.evaluate((id) => {
        const rect = (el: Element) => {
          const r = el.getBoundingClientRect()
          return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }
        }
        const root = document.getElementById(id)!.shadowRoot!
        const box = [...root.querySelectorAll('.badge, section')].filter((el) => !(el as HTMLElement).hidden).map(rect)
        const buttons = [...document.querySelectorAll('.bespoke-marp-osc > button')].map((b) => {
          const r = rect(b)
          const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2)
          return { name: b.getAttribute('data-bespoke-marp-osc'), ...r, reachable: !!hit && b.contains(hit) }
        })
        return { box, buttons, expanded: root.querySelector('.badge')!.getAttribute('aria-expanded') }
      }, OVERLAY_ID)
    const overlaps = (a: { left: number; top: number; right: number; bottom: number }, b: typeof a) =>
      a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
    for (const [width, height] of [
      [1280, 720],
      [800, 600],
    ] as const) {
      await page.setViewport({ width, height })
      for (const expanded of ['false', 'true']) {
        // Opened and closed with the keyboard: Enter on the badge. The viewer must not take the key.
        if ((await layout()).expanded !== expanded) {
          await page.evaluate((id) => (document.getElementById(id)!.shadowRoot!.querySelector('.badge') as HTMLElement).focus(), OVERLAY_ID)
          await page.keyboard.press('Enter')
        }
        const seen = await layout()
        expect(seen.expanded, `${width}x${height}`).toBe(expanded)
        expect(seen.box.length).toBe(expanded === 'true' ? 2 : 1)
        expect(seen.buttons.map((b) => b.name)).toEqual(expect.arrayContaining(['fullscreen', 'overview', 'presenter']))
        for (const b of seen.buttons) {
          expect(b.reachable, `${b.name} at ${width}x${height}, expanded ${expanded}`).toBe(true)
          for (const part of seen.box) expect(overlaps(part, b), `${b.name} at ${width}x${height}, expanded ${expanded}`).toBe(false)
        }
      }
      expect(await page.evaluate(() => location.hash)).toBe('#5')
      // Escape closes the open list and gives the focus back to the badge.
      await page.keyboard.press('Escape')
      expect((await layout()).expanded).toBe('false')
    }
    await page.setViewport({ width: 800, height: 600 })
    await markStale()
    await writeFile(file(), deck('clean'))
    await reloaded()
    await page.waitForFunction((id) => !document.getElementById(id), { timeout: 30_000 }, OVERLAY_ID)
  })

  it('keeps watching and serving after all of that', async () => {
    expect(session.watcher.closed).toBe(false)
    const html = await readFile(path.join(dir, 'dist/talk.html'), 'utf8')
    expect(html).toContain('clean')
    expect(html).not.toContain('/__deck/ws')
  })
})
