import { createHash } from 'node:crypto'
import type { Page } from 'puppeteer-core'
import { bounded, pageStep } from './step.js'
import { escapeHtml } from '../util/html-text.js'
import type { RenderedDeck } from '../render/render.js'
import { changedSlides, contentHtml, pageContent, type PageContent } from './page-content.js'

/** What a page can keep across an in-place update: same fonts and same slide size. */
export const frameKey = (deck: RenderedDeck): string =>
  createHash('sha1')
    .update(`${deck.size.width}x${deck.size.height}\n${deck.lang ?? ''}\n${deck.fontCss}`)
    .digest('hex')

/**
 * The print page: the deck's slides stacked, one per PDF page, with fonts and assets inlined.
 * PDF, screenshots and lint all load this same page, so they measure what gets printed. With
 * `content`, the page shows that content of the deck instead of the whole render.
 */
export function printPageHtml(deck: RenderedDeck, content?: PageContent): string {
  const { width, height } = deck.size
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(deck.lang ?? 'en')}"><head><meta charset="utf-8">`,
    `<title>${escapeHtml(deck.title)}</title>`,
    `<style id="deck-fonts" data-key="${frameKey(deck)}">${deck.fontCss}</style>`,
    `<style id="deck-css">${deck.css}</style>`,
    '<style>',
    `@page { size: ${width}px ${height}px; margin: 0 }`,
    'html, body { margin: 0; padding: 0; background: #fff }',
    `svg[data-marpit-svg] { display: block; width: ${width}px; height: ${height}px; break-after: page }`,
    'svg[data-marpit-svg]:last-of-type { break-after: auto }',
    // Screenshots show one slide at a time (cheaper to paint than a tall clipped page). Slides
    // are stacked, keeping their size, and the others skip rendering: content-visibility hides
    // them at less cost than visibility: hidden or display: none, and nothing inside a slide
    // changes size between shots.
    'body[data-deck-shot] svg[data-marpit-svg] { position: absolute; top: 0; left: 0; content-visibility: hidden }',
    'body[data-deck-shot] svg[data-marpit-svg].deck-shot { content-visibility: visible }',
    `svg[${HELD}] { display: none }`,
    '</style></head><body>',
    held(content ? contentHtml(content) : deck.html),
    '</body></html>',
  ].join('\n')
}

/**
 * Slides come into a page held out of its layout (display: none) until settle() lets them in.
 * Marp's script upgrades each fitted heading and code block as it meets it, and each upgrade
 * reads the element's computed style after the last one changed the page: on slides in the
 * layout each read restyles the page (~0.25 s of a 200-slide load), on held ones it costs
 * next to nothing. Laid out once, afterwards, the slides come out the same.
 */
const HELD = 'data-deck-held'
const held = (html: string): string => html.replaceAll('<svg data-marpit-svg', `<svg ${HELD} data-marpit-svg`)

/**
 * Load a deck (or `content` of it) into a page and wait until fonts and images are ready. The
 * page holds an element for every slide either way, so the deadline grows with the deck.
 */
export function loadDeck(page: Page, deck: RenderedDeck, content?: PageContent): Promise<void> {
  return pageStep(page, { stage: 'loading the deck', deck: deck.file, slides: deck.slideCount }, async () => {
    await page.setViewport({ width: deck.size.width, height: deck.size.height, deviceScaleFactor: 1 })
    // The step's deadline bounds the load; puppeteer's own would end it sooner on a big deck.
    await page.setContent(printPageHtml(deck, content), { waitUntil: 'load', timeout: 0 })
    await settle(page)
  })
}

/**
 * Put a new render of the same deck (or `after`, a content of it) into a page that already shows
 * the deck, so fonts are not parsed and decoded again. When the page shows `before` and only
 * some slides changed, only those slide elements are replaced: the browser then parses and lays
 * out those slides, not the whole deck. Otherwise
 * the slides and the deck's CSS are swapped, and a full load is the fallback when fonts or slide
 * size changed.
 */
export function updateDeck(page: Page, deck: RenderedDeck, before?: PageContent, after = pageContent(deck)): Promise<void> {
  return pageStep(page, { stage: 'updating the deck in its page', deck: deck.file, slides: deck.slideCount }, () =>
    update(page, deck, before, after),
  )
}

async function update(page: Page, deck: RenderedDeck, before: PageContent | undefined, after: PageContent | undefined): Promise<void> {
  const changed = changedSlides(before, after)
  if (after && changed !== 'all') {
    // Nothing to change; one round trip still shows that the page (and its browser) is alive,
    // so that a crash is noticed here, where a fresh page can take over, and not mid-print.
    if (!changed.length) return void (await page.evaluate(() => 0))
    const replaced = await page.evaluate(
      (key: string, count: number, slides: Array<[number, string]>) => {
        const svgs = document.querySelectorAll('body > div[id] > svg[data-marpit-svg]')
        // The page is not what the caller thinks it shows: let the full swap put it right.
        if (document.getElementById('deck-fonts')?.dataset['key'] !== key || svgs.length !== count) return false
        for (const [n, html] of slides) svgs[n - 1]!.outerHTML = html
        return true
      },
      frameKey(deck),
      after.slides.length,
      changed.map((n): [number, string] => [n, held(after.slides[n - 1]!)]),
    )
    if (replaced) return settle(page)
  }
  const swapped = await page.evaluate(
    (key: string, css: string, html: string) => {
      const fonts = document.getElementById('deck-fonts')
      const style = document.getElementById('deck-css')
      const slides = document.querySelector('body > div[id]')
      if (fonts?.dataset['key'] !== key || !style || !slides) return false
      style.textContent = css
      // Marp's custom elements are already defined in this page: the new slides upgrade without
      // its inline script running again, and settle() renames their code blocks as it would.
      slides.outerHTML = html
      return true
    },
    frameKey(deck),
    deck.css,
    held(after ? contentHtml(after) : deck.html),
  )
  if (swapped) await settle(page)
  else await loadDeck(page, deck, after)
}

/**
 * A full garbage collection in the page's renderer (best effort: a failure or a browser that
 * does not answer within the page's timeout changes nothing; only memory is at stake).
 */
export async function collectGarbage(page: Page): Promise<void> {
  const collect = async () => {
    const session = await page.createCDPSession()
    await session.send('HeapProfiler.collectGarbage')
    await session.detach()
  }
  await bounded(page.getDefaultTimeout(), collect(), undefined)
}

/** A page and what it shows; `shows` is undefined while it changes or when it is not known. */
export interface View {
  page: Page
  shows: PageContent | undefined
}

/**
 * Bring a view to show `content` of `deck` (the whole render when undefined): loaded afresh with
 * `load`, else updated from what it shows. Should that fail, the view shows nothing known, and
 * the next update is a full swap.
 */
export async function present(view: View, deck: RenderedDeck, content: PageContent | undefined, load = false): Promise<void> {
  const before = view.shows
  view.shows = undefined
  if (load) await loadDeck(view.page, deck, content)
  else await updateDeck(view.page, deck, before, content)
  view.shows = content
}

/**
 * Bring a page that was just loaded or updated to what Marp's script makes of it, then wait
 * until fonts and images are ready and auto-scaling has applied.
 */
async function settle(page: Page): Promise<void> {
  await page.evaluate(async (attr: string) => {
    // A <pre> cannot hold a shadow root, so marp-core defines `marp-pre` as an element of its own
    // and its script renames each `<pre is="marp-pre">` to it, once, when it runs (marp-core 5.0.2,
    // src/custom-elements/browser/index.ts, applyCustomElements). Slides put in later (an update
    // in place, or a second load of the page, where the script stops at defining its elements
    // again) would keep plain <pre>s and lose code auto-scaling: they are renamed here the same way.
    for (const el of document.querySelectorAll('[is^="marp-"]')) {
      const name = el.getAttribute('is') ?? ''
      const defined = customElements.get(name)
      if (!defined || el instanceof defined || Object.getPrototypeOf(defined) !== HTMLElement) continue
      const tag = el.localName
      el.outerHTML = el.outerHTML.replace(new RegExp(`^<${tag}`, 'i'), `<${name}`).replace(new RegExp(`</${tag}>$`, 'i'), `</${name}>`)
    }
    // The held slides join the layout (see HELD); laid out now, so that the fonts they use are
    // being loaded when `fonts.ready` is asked.
    for (const slide of document.querySelectorAll(`[${attr}]`)) slide.removeAttribute(attr)
    void document.body.offsetHeight
    await document.fonts.ready
    await Promise.all([...document.images].map((img) => (img.complete ? undefined : img.decode().catch(() => undefined))))
    // Marp's auto-scaling (fitted headings, shrunk code) measures after fonts load and applies
    // on the next frames; printing before then gives unscaled code now and then. A block that
    // has just been sized shows its SVG inline until the next frame (marp-auto-scaling.ts,
    // flushSvgDisplay), a pixel taller meanwhile: new slides in a warm page are still doing so
    // two frames on, so the wait goes on while any is (a few frames at most).
    const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()))
    const flushing = () =>
      [...document.querySelectorAll('[data-auto-scaling]')].some(
        (el) => !!el.shadowRoot?.querySelector('marp-auto-scaling')?.shadowRoot?.querySelector('svg')?.style.display,
      )
    await frame()
    await frame()
    for (let i = 0; i < 10 && flushing(); i += 1) await frame()
    // Each auto-scaling element then goes on reading its computed style every animation frame,
    // for a change of its `--preserve-aspect-ratio` (marp-auto-scaling.ts, observeSVGStyle),
    // which keeps the page producing frames: on 200 slides ~15 % of a core while the page sits,
    // more while the checks and the PPTX reading change it. Nothing in this page changes that
    // property after it has settled (an update brings new elements, which settle in turn), so
    // each loop is ended the way marp-core ends it when the element leaves the page: its
    // `svgComputedStyle` no longer the style it watches. Sizes still follow its ResizeObserver.
    for (const host of document.querySelectorAll('[data-auto-scaling]')) {
      const scaler = host.shadowRoot?.querySelector('marp-auto-scaling')
      if (scaler && 'svgComputedStyle' in scaler) (scaler as { svgComputedStyle?: unknown }).svgComputedStyle = undefined
    }
  }, HELD)
}
