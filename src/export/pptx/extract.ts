import type { JSHandle, Page } from 'puppeteer-core'
import { shootElements } from '../../browser/element-shots.js'
import { pageStep } from '../../browser/step.js'
import type { RenderedDeck } from '../../render/render.js'
import { textTools, type MakeTextTools } from './lines.js'
import { SHOT_ATTRIBUTE, type PageModel } from './model.js'
import { styleTools } from './page-style.js'
import { walkPage } from './walk.js'

/** What the editable PPTX takes from the print page: the slide model and the element pictures. */
export interface SlideCapture {
  model: PageModel
  /** Picture bytes by shot id. */
  pictures: Map<number, Uint8Array>
}

/**
 * Read the slides of a loaded print page (all of them: the page must show the whole deck), then
 * shoot the elements that become pictures. The page is back to its print layout afterwards.
 */
export async function captureSlides(page: Page, deck: RenderedDeck): Promise<SlideCapture> {
  const model = await pageStep(page, { stage: 'reading the slides for the PPTX', deck: deck.file, slides: deck.slideCount }, async () => {
    // The text tools go into the page as a function of their own (no eval in the page's scripts),
    // with the style tools bound to them.
    const make = `((text, styles) => (x, y, height, isPicture) => text(x, y, height, isPicture, styles()))`
    const tools = (await page.evaluateHandle(`${make}(${String(textTools)}, ${String(styleTools)})`)) as JSHandle<MakeTextTools>
    try {
      return await page.evaluate(walkPage, tools, SHOT_ATTRIBUTE)
    } finally {
      await tools.dispose()
    }
  })
  const pictures = await shootElements(page, deck, model.shots, SHOT_ATTRIBUTE)
  return { model, pictures }
}
