import type { JSHandle, Page } from 'puppeteer-core'
import { shootElements } from '../../browser/element-shots.js'
import { pageStep } from '../../browser/step.js'
import type { RenderedDeck } from '../../render/render.js'
import { textTools, type MakeTextTools } from './lines.js'
import { SHOT_ATTRIBUTE, type PageModel } from './model.js'
import { styleTools } from './page-style.js'
import { walkPage } from './walk.js'
import { DeckError } from '../../util/errors.js'

/** What the editable PPTX takes from the print page: the slide model and the element pictures. */
export interface SlideCapture {
  model: PageModel
  /** Picture bytes by shot id. */
  pictures: Map<number, Uint8Array>
}

/**
 * Read the slides of a loaded print page (all of them: the page must show the whole deck; or the
 * 0-based slides `only`, which it must show), then shoot the elements that become pictures. The
 * page is back to its print layout afterwards.
 */
export async function captureSlides(page: Page, deck: RenderedDeck, only: number[] | null = null): Promise<SlideCapture> {
  const model = await pageStep(page, { stage: 'reading the slides for the PPTX', deck: deck.file, slides: deck.slideCount }, async () => {
    // The text tools go into the page as a function of their own (no eval in the page's scripts),
    // with the style tools bound to them.
    const make = `((text, styles) => (x, y, height, isPicture) => text(x, y, height, isPicture, styles()))`
    const tools = (await page.evaluateHandle(`${make}(${String(textTools)}, ${String(styleTools)})`)) as JSHandle<MakeTextTools>
    try {
      return await page.evaluate(walkPage, tools, SHOT_ATTRIBUTE, only)
    } finally {
      await tools.dispose()
    }
  })
  const pictures = await shootElements(page, deck, model.shots, SHOT_ATTRIBUTE)
  return { model, pictures }
}

/**
 * The captures of a deck read a chunk of slides at a time, put together as one capture of the
 * whole deck: slides in order, picture ids numbered over the deck as one read would number them.
 */
export class ChunkCaptures {
  private readonly parts = new Map<number, { capture: SlideCapture; index: number }>()

  add(slides: readonly number[], capture: SlideCapture): void {
    const sorted = [...slides].sort((a, b) => a - b)
    sorted.forEach((slide, index) => this.parts.set(slide, { capture, index }))
  }

  whole(slideCount: number): SlideCapture {
    const model: PageModel = { slides: [], shots: [] }
    const pictures = new Map<number, Uint8Array>()
    for (let slide = 0; slide < slideCount; slide++) {
      const part = this.parts.get(slide)
      if (!part)
        throw new DeckError(`slide ${slide + 1} was not read for the PPTX`, {
          hint: 'This is a bug in deck: please report it with the deck.',
        })
      const shots = new Map(part.capture.model.shots.map((s) => [s.id, s]))
      const items = part.capture.model.slides[part.index]!.items.map((item) => {
        if (item.kind !== 'picture') return item
        const id = model.shots.length
        model.shots.push({ ...shots.get(item.id)!, id })
        const bytes = part.capture.pictures.get(item.id)
        if (bytes) pictures.set(id, bytes)
        return { ...item, id }
      })
      model.slides.push({ ...part.capture.model.slides[part.index]!, items })
    }
    this.parts.clear()
    return { model, pictures }
  }
}
