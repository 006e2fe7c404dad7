import type { Page } from 'puppeteer-core'
import { bounded, pageStep } from './step.js'
import type { RenderedDeck } from '../render/render.js'

/*
 * Pictures of single elements of the print page, for the editable PPTX: an image, a formula, an
 * SVG, a CSS background. The element's slide is shown alone (as for slide pictures, see
 * screenshots.ts) on a transparent page, every other box of the slide is made invisible (so no
 * text the PPTX writes as text is in the picture twice), and only the element's box is captured,
 * at 2x.
 */

export interface ElementShot {
  id: number
  /** 0-based slide index. */
  slide: number
  /** The box to capture, in CSS px of the slide. */
  box: { x: number; y: number; w: number; h: number }
  format: 'png' | 'jpeg'
  /** `element`: the element and its content; `background`: its own box only (children and ::before/::after hidden). */
  mode: 'element' | 'background' | '::before' | '::after'
}

export const ELEMENT_SHOT_SCALE = 2
const JPEG_QUALITY = 88

/** The elements are found by `attr`, whose value lists their shot ids (set by the page walk). */
export async function shootElements(
  page: Page,
  deck: RenderedDeck,
  shots: readonly ElementShot[],
  attr: string,
): Promise<Map<number, Uint8Array>> {
  const out = new Map<number, Uint8Array>()
  if (shots.length === 0) return out
  const step = (stage: string) => ({ stage, deck: deck.file })
  const session = await pageStep(page, step('taking the element pictures'), () => page.createCDPSession())
  try {
    await pageStep(page, step('taking the element pictures'), async () => {
      await session.send('Emulation.setDeviceMetricsOverride', {
        width: deck.size.width,
        height: deck.size.height,
        deviceScaleFactor: ELEMENT_SHOT_SCALE,
        mobile: false,
      })
      await session.send('Emulation.setDefaultBackgroundColorOverride', { color: { r: 0, g: 0, b: 0, a: 0 } })
      await page.evaluate(() => {
        const style = document.createElement('style')
        style.id = 'deck-element-shots'
        style.textContent = [
          'body[data-deck-element-shot], html:has(body[data-deck-element-shot]) { background: transparent !important }',
          'body[data-deck-element-shot] svg[data-marpit-svg] * { visibility: hidden !important }',
          'body[data-deck-element-shot] svg[data-marpit-svg] [data-deck-shown], body[data-deck-element-shot] svg[data-marpit-svg] [data-deck-shown="element"] * { visibility: visible !important }',
          'body[data-deck-element-shot] svg[data-marpit-svg] [data-deck-shown]::before, body[data-deck-element-shot] svg[data-marpit-svg] [data-deck-shown]::after { visibility: hidden !important }',
          // The element's ancestors stay visible (a hidden SVG of Marp's auto-scaling would not paint a
          // visible child), but paint nothing of their own: no text, background, border or ::before/::after.
          'body[data-deck-element-shot] svg[data-marpit-svg] [data-deck-path] { visibility: visible !important; color: transparent !important; background: none !important; border-color: transparent !important; box-shadow: none !important; text-shadow: none !important; outline: none !important; text-decoration-color: transparent !important }',
          // A pseudo-element alone: its box (no text), nothing of the element it belongs to.
          'body[data-deck-element-shot] svg[data-marpit-svg] [data-deck-shown^="::"] { background: none !important; border-color: transparent !important; color: transparent !important; box-shadow: none !important }',
          'body[data-deck-element-shot] svg[data-marpit-svg] [data-deck-shown="::before"]::before, body[data-deck-element-shot] svg[data-marpit-svg] [data-deck-shown="::after"]::after { visibility: visible !important; color: transparent !important }',
          'body[data-deck-element-shot] svg[data-marpit-svg] [data-deck-path]::before, body[data-deck-element-shot] svg[data-marpit-svg] [data-deck-path]::after, body[data-deck-element-shot] svg[data-marpit-svg] [data-deck-path]::marker { visibility: hidden !important }',
        ].join('\n')
        document.head.append(style)
        document.body.dataset['deckElementShot'] = ''
        document.body.dataset['deckShot'] = ''
      })
    })
    for (const shot of shots) {
      const data = await pageStep(page, step(`taking a picture on slide ${shot.slide + 1}`), async () => {
        await page.evaluate(
          (slide: number, id: number, mode: string, name: string) => {
            document.querySelectorAll('svg[data-marpit-svg]').forEach((el, j) => el.classList.toggle('deck-shot', j === slide))
            document.querySelectorAll('[data-deck-shown]').forEach((el) => el.removeAttribute('data-deck-shown'))
            document.querySelectorAll('[data-deck-path]').forEach((el) => el.removeAttribute('data-deck-path'))
            document.querySelectorAll<HTMLElement>('[data-deck-colour]').forEach((el) => {
              el.style.removeProperty('color')
              el.removeAttribute('data-deck-colour')
            })
            document.querySelectorAll('[data-deck-path]').forEach((el) => el.removeAttribute('data-deck-path'))
            document.querySelectorAll<HTMLElement>('[data-deck-colour]').forEach((el) => {
              el.style.removeProperty('color')
              el.removeAttribute('data-deck-colour')
            })
            const target = document.querySelector<HTMLElement>(`[${name}~="${id}"]`)
            if (!target) return
            if (mode === 'element') {
              // Its own colour, which it would otherwise inherit (transparent) from its ancestors.
              if (!target.style.color) {
                target.style.setProperty('color', getComputedStyle(target).color, 'important')
                target.setAttribute('data-deck-colour', '')
              }
              for (let a = target.parentElement; a && !a.matches('svg[data-marpit-svg]'); a = a.parentElement)
                a.setAttribute('data-deck-path', '')
            }
            target.setAttribute('data-deck-shown', mode)
          },
          shot.slide,
          shot.id,
          shot.mode,
          attr,
        )
        const { data } = await session.send('Page.captureScreenshot', {
          format: shot.format,
          ...(shot.format === 'jpeg' ? { quality: JPEG_QUALITY } : {}),
          clip: { x: shot.box.x, y: shot.box.y, width: shot.box.w, height: shot.box.h, scale: 1 },
          captureBeyondViewport: false,
        })
        return Buffer.from(data, 'base64')
      })
      out.set(shot.id, data)
    }
  } finally {
    await bounded(page.getDefaultTimeout(), session.detach(), undefined)
    await pageStep(page, step('taking the element pictures'), () =>
      page.evaluate((name: string) => {
        document.getElementById('deck-element-shots')?.remove()
        delete document.body.dataset['deckElementShot']
        delete document.body.dataset['deckShot']
        document.querySelectorAll('.deck-shot').forEach((el) => el.classList.remove('deck-shot'))
        document.querySelectorAll('[data-deck-shown]').forEach((el) => el.removeAttribute('data-deck-shown'))
        document.querySelectorAll(`[${name}]`).forEach((el) => el.removeAttribute(name))
      }, attr),
    ).catch(() => undefined)
  }
  return out
}
