import type { HandoutLayout, HandoutPaper } from '../../config/options.js'

/*
 * Where things go on a handout page, in millimetres from the page's top left: for each of the
 * page's slots, the slide's box and the box of its caption and notes under or beside it. Every
 * page is portrait; the slides keep the deck's aspect ratio.
 *
 *   1  the slide across the page, its notes under it, ruled lines below the notes
 *   2  two slides, each with its notes under it
 *   3  three slides down the left, each with its notes and ruled lines to its right (as
 *      PowerPoint's three-slide handout, with the notes printed above the lines)
 *   4  two by two, each slide with its notes under it
 *   6  two by three, each slide with its notes under it
 */

export interface Box {
  x: number
  y: number
  w: number
  h: number
}

export interface Slot {
  slide: Box
  notes: Box
}

export interface PageGeometry {
  paper: { w: number; h: number }
  /** Slides a page. */
  perPage: number
  slots: Slot[]
  /** The footer's box: the deck's title at its left, the page number at its right. */
  footer: Box
  /** Font size of the notes in pt, before shrinking to fit. */
  notesPt: number
  /** Ruled lines to write on under (or after) the notes. */
  ruled: boolean
}

/** Paper sizes in millimetres, portrait. */
export const PAPER_MM: Record<HandoutPaper, { w: number; h: number }> = {
  a4: { w: 210, h: 297 },
  letter: { w: 215.9, h: 279.4 },
}

const MARGIN = 14
/** Between the content and the bottom margin: the footer and the gap above it. */
const FOOTER_ZONE = 10
const FOOTER_H = 5
const GAP = 7
/** Space between a slide and its notes. */
const INNER_GAP = 4

interface Plan {
  rows: number
  cols: number
  /** Notes under the slide, or beside it (to its right). */
  notes: 'under' | 'beside'
  /** Under: the largest part of a slot's height the slide may take. Beside: the part of its width. */
  slideShare: number
  notesPt: number
  ruled: boolean
}

const PLANS: Record<HandoutLayout, Plan> = {
  1: { rows: 1, cols: 1, notes: 'under', slideShare: 0.45, notesPt: 11, ruled: true },
  2: { rows: 2, cols: 1, notes: 'under', slideShare: 0.62, notesPt: 9.5, ruled: false },
  3: { rows: 3, cols: 1, notes: 'beside', slideShare: 0.55, notesPt: 8.5, ruled: true },
  4: { rows: 2, cols: 2, notes: 'under', slideShare: 0.55, notesPt: 8, ruled: false },
  6: { rows: 3, cols: 2, notes: 'under', slideShare: 0.62, notesPt: 7.5, ruled: false },
}

const round = (n: number): number => Math.round(n * 100) / 100

/** The geometry of a handout page for a paper, a layout and the deck's slide size (in px, only the ratio counts). */
export function pageGeometry(paper: HandoutPaper, layout: HandoutLayout, slideSize: { width: number; height: number }): PageGeometry {
  const page = PAPER_MM[paper]
  const plan = PLANS[layout]
  const ratio = slideSize.height / slideSize.width
  const area = { x: MARGIN, y: MARGIN, w: page.w - 2 * MARGIN, h: page.h - 2 * MARGIN - FOOTER_ZONE }
  const cellW = (area.w - (plan.cols - 1) * GAP) / plan.cols
  const cellH = (area.h - (plan.rows - 1) * GAP) / plan.rows
  const slots: Slot[] = []
  for (let row = 0; row < plan.rows; row += 1) {
    for (let col = 0; col < plan.cols; col += 1) {
      const x = area.x + col * (cellW + GAP)
      const y = area.y + row * (cellH + GAP)
      if (plan.notes === 'under') {
        const w = Math.min(cellW, (cellH * plan.slideShare) / ratio)
        const h = w * ratio
        // The slide and its notes share a left edge and a width: the notes read as the slide's.
        const notesW = layout === 1 ? cellW : w
        const left = x + (cellW - w) / 2
        slots.push({
          slide: { x: left, y, w, h },
          notes: { x: layout === 1 ? x : left, y: y + h + INNER_GAP, w: notesW, h: cellH - h - INNER_GAP },
        })
      } else {
        const w = Math.min(cellW * plan.slideShare, cellH / ratio)
        slots.push({ slide: { x, y, w, h: w * ratio }, notes: { x: x + w + GAP, y, w: cellW - w - GAP, h: cellH } })
      }
    }
  }
  const r = (b: Box): Box => ({ x: round(b.x), y: round(b.y), w: round(b.w), h: round(b.h) })
  return {
    paper: page,
    perPage: layout,
    slots: slots.map((s) => ({ slide: r(s.slide), notes: r(s.notes) })),
    footer: r({ x: MARGIN, y: page.h - MARGIN - FOOTER_H, w: page.w - 2 * MARGIN, h: FOOTER_H }),
    notesPt: plan.notesPt,
    ruled: plan.ruled,
  }
}

/** Pages of a handout of `slides` slides. */
export const pageCount = (slides: number, layout: HandoutLayout): number => Math.max(1, Math.ceil(slides / layout))
