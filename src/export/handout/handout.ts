import type { BrowserManager } from '../../browser/manager.js'
import { loadDeck } from '../../browser/page.js'
import type { HandoutLayout, HandoutPaper } from '../../config/options.js'
import type { RenderedDeck } from '../../render/render.js'
import type { Diagnostic } from '../../util/diagnostics.js'
import { slideTitles } from '../pdf.js'
import { pageGeometry } from './layout.js'
import { notesHtml } from './notes-html.js'
import { arrangeHandout, printHandout } from './page.js'
import { finishHandout } from './pdf-finish.js'
import { handoutCss } from './style.js'

/*
 * The handout PDF (`--format handout`): the deck's slides on A4 or Letter pages, 1, 2, 3, 4 or
 * 6 to a page, each with its speaker notes as text, the deck's title and the page number in the
 * footer, and a bookmark per slide. Made in the build's one browser from the same render as the
 * PDF, in a page of its own: the deck's print page is loaded there and rearranged (page.ts).
 */

export interface HandoutOptions {
  paper: HandoutPaper
  layout: HandoutLayout
  /** Creation and modification date of the PDF (fixed, for the same bytes every time). */
  date: Date
}

export interface Handout {
  pdf: Uint8Array
  /** Notes that were cut because they do not fit their box in this layout. */
  diagnostics: Diagnostic[]
}

/** Smallest size notes shrink to before they are cut, in pt. */
const MIN_NOTES_PT = 6.5

export async function buildHandout(browser: BrowserManager, deck: RenderedDeck, opts: HandoutOptions): Promise<Handout> {
  const geometry = pageGeometry(opts.paper, opts.layout, deck.size)
  const titles = slideTitles(deck)
  const spec = {
    css: handoutCss(geometry),
    geometry,
    slides: titles.map((title, i) => ({ number: i + 1, title, notesHtml: notesHtml(deck.notes[i] ?? '') })),
    title: deck.title,
    minNotesPt: MIN_NOTES_PT,
  }
  const { raw, cut } = await browser.withPage(async (page) => {
    await loadDeck(page, deck)
    const cut = await arrangeHandout(page, deck, spec)
    return { raw: await printHandout(page, deck, geometry), cut }
  })
  const diagnostics = cut.map((slide): Diagnostic => ({
    rule: 'handout',
    severity: 'warning',
    file: deck.file,
    ...lineOf(deck, slide),
    slide,
    message: `the notes of slide ${slide} do not fit under it in the ${opts.layout}-up handout, even at ${MIN_NOTES_PT} pt: the handout shows only their start`,
    hint:
      opts.layout === 1 ? 'Shorten the notes, or split the slide in two.' : 'Use --handout-layout 1 for more room, or shorten the notes.',
  }))
  return { pdf: await finishHandout(raw, deck, { date: opts.date, perPage: geometry.perPage, titles }), diagnostics }
}

const lineOf = (deck: RenderedDeck, slide: number): { line?: number } => {
  const line = deck.facts.slides.find((s) => s.slide === slide)?.line
  return line ? { line } : {}
}
