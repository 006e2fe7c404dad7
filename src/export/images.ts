import type { Page } from 'puppeteer-core'
import type { RenderedDeck } from '../render.js'

/**
 * Slide images for PNG output and PPTX backgrounds. One slide is shown at a time in a viewport
 * of the slide's size: half the cost of clipping a tall page (measured on the seed deck).
 */
export async function screenshotSlides(
  page: Page,
  deck: RenderedDeck,
  opts: { scale: number; slides?: number[] },
): Promise<Map<number, Uint8Array>> {
  await page.setViewport({ width: deck.size.width, height: deck.size.height, deviceScaleFactor: opts.scale })
  const wanted = opts.slides ?? Array.from({ length: deck.slideCount }, (_, i) => i)
  const out = new Map<number, Uint8Array>()
  for (const index of wanted) {
    await page.evaluate((i: number) => {
      document.body.dataset['deckShot'] = ''
      const slides = document.querySelectorAll('div.marpit > svg[data-marpit-svg]')
      slides.forEach((el, j) => el.classList.toggle('deck-shot', j === i))
    }, index)
    out.set(index, await page.screenshot({ type: 'png', optimizeForSpeed: true }))
  }
  await page.evaluate(() => {
    delete document.body.dataset['deckShot']
    document.querySelectorAll('.deck-shot').forEach((el) => el.classList.remove('deck-shot'))
  })
  return out
}
