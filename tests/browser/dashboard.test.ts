import { createRequire } from 'node:module'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findBrowser, needsNoSandbox } from '../../src/browser/find.js'
import type { DashboardDeck } from '../../src/preview/dashboard-client.js'
import { DECKS_JSON_PATH } from '../../src/preview/dashboard.js'
import { startWatch, type WatchSession } from '../../src/watch/session.js'
import { buildOptions, tempProject } from '../helpers/project.js'
import { until } from '../helpers/watch.js'

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

const talk = (first: string, second: string) =>
  `---\nmarp: true\ntheme: palette-3\ntitle: The talk\n---\n\n# ${first}\n\n---\n\n${second}\n`
const long = Array.from({ length: 30 }, (_, i) => `Overflowing paragraph line ${i + 1}`).join('\n\n')

/** The dashboard's view of each deck, as the server gives it (by deck path). */
async function decks(url: string): Promise<Map<string, DashboardDeck>> {
  const res = await fetch(url + DECKS_JSON_PATH)
  const list = (await res.json()) as DashboardDeck[]
  return new Map(list.map((d) => [d.name, d]))
}

/** What a deck's card in the page shows. */
const card = (page: Page, name: string) =>
  page.evaluate((n) => {
    const li = [...document.querySelectorAll<HTMLElement>('#decks > li.deck')].find((el) => el.querySelector('.name')?.textContent === n)
    if (!li) return null
    return {
      state: li.dataset['state'],
      text: li.textContent ?? '',
      thumbnail: li.querySelector('img')?.getAttribute('src') ?? null,
      findings: li.querySelector('.findings p a')?.textContent ?? null,
      findingsHref: li.querySelector('.findings p a')?.getAttribute('href') ?? null,
    }
  }, name)

describe('the preview dashboard in headless Chromium', () => {
  let cleanup: () => Promise<void>
  let dir: string
  let session: WatchSession
  let browser: Browser
  let page: Page
  /** Script errors on the dashboard page: a redraw that throws leaves a half-updated page. */
  const pageErrors: string[] = []

  beforeAll(async () => {
    const p = await tempProject({
      'slides/talk.md': talk('Welcome', '# Agenda'),
      'slides/other.md': '---\nmarp: true\n---\n\n# Another deck\n',
      'slides/broken.css': 'section { color: red }\n',
      'slides/broken.md': '---\nmarp: true\ntheme: ./broken.css\n---\n\n# Broken\n',
    })
    dir = p.dir
    cleanup = p.cleanup
    session = await startWatch({ build: buildOptions(dir, { formats: ['html'] }), inputs: [], onEvent: () => undefined, port: 0 })
    // Every deck built, and the two that build checked and pictured.
    await until(async () => {
      const all = await decks(session.url)
      return all.size === 3 && all.get('slides/talk.md')?.thumbnail && all.get('slides/other.md')?.thumbnail
    }, 'the first builds and thumbnails')
    browser = await puppeteer.launch({
      executablePath: findBrowser(),
      headless: true,
      args: needsNoSandbox() ? ['--no-sandbox', '--disable-setuid-sandbox'] : [],
    })
    page = await browser.newPage()
    page.on('pageerror', (e) => pageErrors.push(String(e)))
    await page.setViewport({ width: 1100, height: 900 })
  })

  afterAll(async () => {
    await browser?.close()
    await session?.close()
    await cleanup?.()
  })

  it('shows each deck with its title, thumbnail, slides, build time, outputs, and a failed one in red', async () => {
    await page.goto(session.url, { waitUntil: 'load' })
    await page.waitForFunction(() => document.documentElement.dataset['deckPreview'] === 'connected')
    const shown = (await card(page, 'slides/talk.md'))!
    expect(shown.state).toBe('ok')
    expect(shown.text).toContain('The talk')
    expect(shown.text).toContain('2 slides')
    expect(shown.text).toMatch(/built \S+.* in \d+(\.\d)? m?s/)
    expect(shown.text).toMatch(/HTML \d+(\.\d)? KB/)
    expect(shown.text).toContain('No findings')
    expect(shown.thumbnail).toMatch(/^\/__deck\/thumb\/[0-9a-f]{12}\.png\?v=[0-9a-f]{16}$/)
    const png = Buffer.from(await (await fetch(session.url + shown.thumbnail!)).arrayBuffer())
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([320, 180])
    expect(await page.$eval('img', (img) => img.complete && img.naturalWidth)).toBe(320)

    const broken = (await card(page, 'slides/broken.md'))!
    expect(broken.state).toBe('failed')
    expect(broken.text).toContain('Build failed')
    expect(broken.text).toContain('no @theme name')
    const red = await page.$eval('li.deck[data-state=failed]', (el) => getComputedStyle(el).borderLeftColor)
    expect(red).toBe('rgb(179, 38, 30)')
  })

  it('updates the findings count and the thumbnail in place when a deck is saved with an overflow', async () => {
    await page.goto(session.url, { waitUntil: 'load' })
    await page.waitForFunction(() => document.documentElement.dataset['deckPreview'] === 'connected')
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1))
    // The deck's link has the keyboard focus; its card is redrawn, the focus stays on the link.
    await page.focus('a[href="/talk.html"]')
    const before = (await card(page, 'slides/talk.md'))!
    const oldPng = Buffer.from(await (await fetch(session.url + before.thumbnail!)).arrayBuffer())

    await writeFile(path.join(dir, 'slides/talk.md'), talk('Welcome, edited', `# Agenda\n\n${long}`))
    const after = await until(async () => {
      const now = await card(page, 'slides/talk.md')
      return now?.findings && now.thumbnail !== before.thumbnail ? now : undefined
    }, 'the findings and the new thumbnail on the dashboard')
    expect(after.findings).toMatch(/^⚠ \d+ findings?$/)
    expect(after.findingsHref).toBe('/talk.html#2')
    expect(after.text).toContain('overflow')
    // Not reloaded: the mark set before the save is still there.
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1)
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
    const newPng = Buffer.from(await (await fetch(session.url + after.thumbnail!)).arrayBuffer())
    expect(newPng.equals(oldPng)).toBe(false)
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('/talk.html')

    // A failed build turns the card red in place, and the next good build brings it back.
    await writeFile(path.join(dir, 'slides/talk.md'), talk('Welcome, edited', `# Agenda\n\n${long}`).replace('palette-3', './broken.css'))
    const failed = await until(
      async () => ((await card(page, 'slides/talk.md'))?.state === 'failed' ? card(page, 'slides/talk.md') : undefined),
      'the failed state',
    )
    expect(failed!.text).toContain('no @theme name')
    // The last good picture stays.
    expect(failed!.thumbnail).toBe(after.thumbnail)
    expect(await page.$eval('#deck-summary', (el) => el.textContent)).toMatch(/^3 decks · 2 failed · \d+ findings?$/)
    await writeFile(path.join(dir, 'slides/talk.md'), talk('Welcome, edited', `# Agenda\n\n${long}`))
    await until(async () => (await card(page, 'slides/talk.md'))?.state === 'ok', 'the good build after the failure')
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1)
    expect(pageErrors).toEqual([])
  })

  it('has no axe-core violations', async () => {
    const audited = await browser.newPage()
    // The page's policy allows only its own script; axe is the test's.
    await audited.setBypassCSP(true)
    await audited.goto(session.url, { waitUntil: 'load' })
    await audited.waitForFunction(() => document.querySelectorAll('#decks img').length >= 2)
    await audited.addScriptTag({ path: AXE })
    const violations = await audited.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document): Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } })
        .axe
      return (await axe.run(document)).violations.map((v) => `${v.id} (${v.nodes.length})`)
    })
    await audited.close()
    expect(violations).toEqual([])
  })

  it('works with the keyboard alone: Tab reaches each deck and the findings link, with a visible focus, and Enter opens the slide', async () => {
    await page.goto(session.url, { waitUntil: 'load' })
    await page.waitForFunction(() => !!document.querySelector('.findings p a'))
    const reached: Array<{ href: string | null; outline: string }> = []
    for (let i = 0; i < 20; i += 1) {
      await page.keyboard.press('Tab')
      const now = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement
        const style = getComputedStyle(el)
        return { href: el.getAttribute('href'), outline: `${style.outlineStyle} ${style.outlineWidth}` }
      })
      if (now.href === null) break
      reached.push(now)
    }
    const hrefs = reached.map((r) => r.href)
    expect(hrefs).toContain('/talk.html')
    expect(hrefs).toContain('/other.html')
    expect(hrefs).toContain('/talk.html#2')
    // In document order: the deck link before its findings link.
    expect(hrefs.indexOf('/talk.html')).toBeLessThan(hrefs.indexOf('/talk.html#2'))
    for (const r of reached) expect(r.outline).toBe('solid 3px')

    // Back to the findings link, the keyboard's way.
    await page.keyboard.down('Shift')
    for (let i = 0; i < 20 && (await page.evaluate(() => document.activeElement?.getAttribute('href') !== '/talk.html#2')); i += 1)
      await page.keyboard.press('Tab')
    await page.keyboard.up('Shift')
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')])
    await page.waitForSelector('.bespoke-marp-active')
    expect(await page.evaluate(() => location.pathname + location.hash)).toBe('/talk.html#2')
    expect(await page.$eval('.bespoke-marp-active', (el) => el.textContent)).toContain('Agenda')
  })
})
