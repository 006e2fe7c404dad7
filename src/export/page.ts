import { createHash } from 'node:crypto'
import type { Page } from 'puppeteer-core'
import { escapeHtml } from '../html-text.js'
import type { RenderedDeck } from '../render.js'

/** What a page can keep across an in-place update: same fonts and same slide size. */
export const frameKey = (deck: RenderedDeck): string =>
  createHash('sha1').update(`${deck.size.width}x${deck.size.height}\n${deck.lang ?? ''}\n${deck.fontCss}`).digest('hex')

/**
 * The print page: the deck's slides stacked, one per PDF page, with fonts and assets inlined.
 * PDF, screenshots and lint all load this same page, so they measure what gets printed.
 */
export function printPageHtml(deck: RenderedDeck): string {
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
    // are stacked, keeping their size, and the others skip rendering: content-visibility
    // measured 103 ms a 2x slide on a 200-slide deck against 154 ms with visibility: hidden and
    // 121 ms with display: none, and nothing inside a slide changes size between shots.
    'body[data-deck-shot] svg[data-marpit-svg] { position: absolute; top: 0; left: 0; content-visibility: hidden }',
    'body[data-deck-shot] svg[data-marpit-svg].deck-shot { content-visibility: visible }',
    '</style></head><body>',
    deck.html,
    '</body></html>',
  ].join('\n')
}

export interface DeckPage {
  page: Page
  deck: RenderedDeck
}

/** Load a deck into a page and wait until fonts and images are ready. */
export async function loadDeck(page: Page, deck: RenderedDeck): Promise<void> {
  await page.setViewport({ width: deck.size.width, height: deck.size.height, deviceScaleFactor: 1 })
  await page.setContent(printPageHtml(deck), { waitUntil: 'load' })
  await settle(page)
}

/**
 * Put a new render of the same deck into a page that already shows it: only the slides and the
 * deck's CSS are swapped, so fonts are not parsed and decoded again (watch mode: ~30 ms instead
 * of ~220 ms for the seed deck). Falls back to a full load when fonts or slide size changed.
 */
export async function updateDeck(page: Page, deck: RenderedDeck): Promise<void> {
  const swapped = await page.evaluate(
    (key: string, css: string, html: string) => {
      const fonts = document.getElementById('deck-fonts')
      const style = document.getElementById('deck-css')
      const slides = document.querySelector('body > div[id]')
      if (fonts?.dataset['key'] !== key || !style || !slides) return false
      style.textContent = css
      // Marp's custom elements are already defined in this page, so the new slides upgrade
      // without its inline script running again.
      slides.outerHTML = html
      return true
    },
    frameKey(deck),
    deck.css,
    deck.html,
  )
  if (swapped) await settle(page)
  else await loadDeck(page, deck)
}

async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready
    await Promise.all(
      [...document.images].map((img) => (img.complete ? undefined : img.decode().catch(() => undefined))),
    )
    // Marp's auto-scaling (fitted headings, shrunk code) measures after fonts load and applies
    // on the next frames; printing before then gives unscaled code now and then.
    await new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())))
  })
}
