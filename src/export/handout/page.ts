import type { Page } from 'puppeteer-core'
import { pageStep } from '../../browser/step.js'
import type { RenderedDeck } from '../../render/render.js'
import type { PageGeometry } from './layout.js'

/*
 * The handout in the browser: a page that has loaded the deck's print page (loadDeck, so fonts,
 * images, Marp's custom elements and auto-scaling are as the PDF prints them) is rearranged into
 * handout pages. Each slide's own `<svg>` moves into a frame of the slot's size, where its
 * viewBox scales it: the slide is the same vector drawing as in the PDF, never a picture. The
 * frame carries the id of Marp's container (`div#:$p`), which the deck's CSS selectors start
 * from, so the theme applies unchanged. The notes are text beside or under it.
 */

export interface HandoutSlide {
  /** The caption: the slide's number and title, as text. */
  number: number
  title: string
  /** The notes as HTML (see notes-html.ts); '' for none. */
  notesHtml: string
}

export interface HandoutSpec {
  css: string
  geometry: PageGeometry
  slides: HandoutSlide[]
  /** The footer's left part: the deck's title. */
  title: string
  /** Smallest font size the notes shrink to before they are cut, in pt. */
  minNotesPt: number
}

/** Slides (1-based) whose notes did not fit their box at the smallest size, and were cut. */
export type CutNotes = number[]

/** Turn the loaded print page into the handout; returns the slides whose notes were cut. */
export function arrangeHandout(page: Page, deck: RenderedDeck, spec: HandoutSpec): Promise<CutNotes> {
  return pageStep(page, { stage: 'laying out the handout', deck: deck.file, slides: deck.slideCount }, async () => {
    const result = await page.evaluate(arrange, spec)
    if (typeof result === 'string') throw new Error(result)
    return result
  })
}

/** Print the arranged handout: one PDF page per handout page, at the paper's size. */
export function printHandout(page: Page, deck: RenderedDeck, geometry: PageGeometry): Promise<Uint8Array> {
  return pageStep(page, { stage: 'printing the handout', deck: deck.file, slides: deck.slideCount }, () =>
    page.pdf({
      width: `${geometry.paper.w}mm`,
      height: `${geometry.paper.h}mm`,
      printBackground: true,
      preferCSSPageSize: true,
      // The step's deadline bounds the print, as for the PDF (see printPdf).
      timeout: 0,
    }),
  )
}

/** Runs in the page: serialised by puppeteer, so it uses nothing from outside its arguments. */
async function arrange(spec: HandoutSpec): Promise<CutNotes | string> {
  const svgs = [...document.querySelectorAll<SVGSVGElement>('body > div[id] > svg[data-marpit-svg]')]
  if (svgs.length !== spec.slides.length) return `the print page shows ${svgs.length} slides where the deck has ${spec.slides.length}`
  const container = svgs[0]?.parentElement
  // The print page's own rules (its page size, a slide a page) give way to the handout's.
  for (const style of document.head.querySelectorAll('style:not([id])')) style.remove()
  const style = document.createElement('style')
  style.textContent = spec.css
  document.head.append(style)
  const g = spec.geometry
  const mm = (n: number): string => `${n}mm`
  const place = (el: HTMLElement, box: { x: number; y: number; w: number; h: number }): void => {
    Object.assign(el.style, { left: mm(box.x), top: mm(box.y), width: mm(box.w), height: mm(box.h) })
  }
  const div = (className: string, text?: string): HTMLDivElement => {
    const el = document.createElement('div')
    el.className = className
    if (text !== undefined) el.textContent = text
    return el
  }
  const pages = Math.max(1, Math.ceil(svgs.length / g.perPage))
  const boxes: Array<{ box: HTMLElement; text: HTMLElement; lines: HTMLElement; slide: number }> = []
  for (let p = 0; p < pages; p += 1) {
    const sheet = div('handout-page')
    for (let k = 0; k < g.perPage; k += 1) {
      const i = p * g.perPage + k
      const slide = spec.slides[i]
      const slot = g.slots[k]
      if (!slide || !slot) break
      const frame = div('handout-slide')
      frame.id = container?.id ?? ''
      place(frame, slot.slide)
      frame.append(svgs[i]!)
      const box = div('handout-notes')
      place(box, slot.notes)
      const caption = div('handout-caption')
      caption.append(div('handout-number', String(slide.number)), div('handout-title', slide.title))
      const text = div('handout-text')
      text.innerHTML = slide.notesHtml
      const lines = div('handout-lines')
      box.append(caption, text, lines)
      sheet.append(frame, box)
      boxes.push({ box, text, lines, slide: slide.number })
    }
    const footer = div('handout-footer')
    place(footer, g.footer)
    footer.style.height = 'auto'
    footer.append(div('handout-deck', spec.title), div('handout-page-number', `${p + 1} / ${pages}`))
    sheet.append(footer)
    document.body.append(sheet)
  }
  container?.remove()
  await document.fonts.ready
  const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()))
  await frame()
  await frame()
  // Notes still too long are cut after their last whole line, with an ellipsis under it: no
  // line is shown sliced through.
  const cutAtLine = (box: HTMLElement, text: HTMLElement): void => {
    const ellipsis = div('handout-cut', '…')
    box.append(ellipsis)
    const limit = box.getBoundingClientRect().bottom - ellipsis.getBoundingClientRect().height
    const top = text.getBoundingClientRect().top
    let keep = 0
    const range = document.createRange()
    const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      range.selectNodeContents(node)
      for (const line of range.getClientRects()) if (line.bottom <= limit) keep = Math.max(keep, line.bottom - top)
    }
    Object.assign(text.style, { maxHeight: `${Math.ceil(keep)}px`, overflow: 'hidden' })
    text.after(ellipsis)
  }
  // Notes too long for their box shrink half a point at a time, down to the smallest size.
  const cut: number[] = []
  const pxPerMm = 96 / 25.4
  for (const { box, text, lines, slide } of boxes) {
    let pt = g.notesPt
    const overflows = () => box.scrollHeight > box.clientHeight + 1
    while (overflows() && pt > spec.minNotesPt) {
      pt = Math.max(spec.minNotesPt, pt - 0.5)
      box.style.fontSize = `${pt}pt`
    }
    if (overflows()) {
      cut.push(slide)
      cutAtLine(box, text)
    } else if (g.ruled) {
      // Ruled lines to write on, as many as fit under the notes.
      const free = box.clientHeight - (text.offsetTop + text.offsetHeight)
      const count = Math.floor((free - 2 * pxPerMm) / (7.5 * pxPerMm))
      for (let n = 0; n < count; n += 1) lines.append(document.createElement('div'))
    }
  }
  return cut
}
