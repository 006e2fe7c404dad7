import type { RenderedDeck } from '../render/render.js'

/**
 * What the print page of a render shows, slide by slide, so that watch mode can touch only the
 * slides a save changed: in the page (replace those slide elements) and in the page checks
 * (measure those slides, keep what was measured on the others).
 *
 * Each slide is one `<svg data-marpit-svg>` element of the render's HTML. Everything else is the
 * frame: slide size, language, fonts, the deck CSS and the container around the slides. A frame
 * change can move or restyle any slide, so it changes them all.
 */
export interface PageContent {
  /** Slide size, language, fonts and deck CSS, compared part by part. */
  frame: readonly string[]
  /** The markup before the first slide and after the last (the slides' container). */
  open: string
  close: string
  /** The markup of each slide's `<svg data-marpit-svg>` element, in order. */
  slides: readonly string[]
}

const SLIDE_START = '<svg data-marpit-svg'
const SLIDE_END = '</svg>'

// The warm page and its checks both ask for the content of the same render.
const contents = new WeakMap<RenderedDeck, PageContent | null>()

/**
 * The content of a render's print page; undefined when its HTML does not split into exactly one
 * element per slide (raw HTML that looks like a slide), which callers treat as "all changed".
 */
export function pageContent(deck: RenderedDeck): PageContent | undefined {
  let content = contents.get(deck)
  if (content === undefined) {
    content = split(deck)
    contents.set(deck, content)
  }
  return content ?? undefined
}

function split(deck: RenderedDeck): PageContent | null {
  const { html } = deck
  const starts: number[] = []
  for (let at = html.indexOf(SLIDE_START); at >= 0; at = html.indexOf(SLIDE_START, at + SLIDE_START.length)) starts.push(at)
  const end = html.lastIndexOf(SLIDE_END) + SLIDE_END.length
  if (starts.length === 0 || starts.length !== deck.slideCount || end < starts.at(-1)!) return null
  // Marp writes the slides back to back, so each one runs to the start of the next.
  const slides = starts.map((start, i) => html.slice(start, starts[i + 1] ?? end))
  if (!slides.every((s) => s.endsWith(SLIDE_END))) return null
  return {
    frame: [`${deck.size.width}x${deck.size.height}`, deck.lang ?? '', deck.fontCss, deck.css],
    open: html.slice(0, starts[0]),
    close: html.slice(end),
    slides,
  }
}

/** The HTML of the slides and their container, as in the render. */
export const contentHtml = (content: PageContent): string => `${content.open}${content.slides.join('')}${content.close}`

/**
 * The same page with only the slides `keep` (1-based) in it: every other slide is an empty
 * `<svg>` of the same size, so the kept ones sit where they sit in the print page and measure
 * the same, while a check that walks the whole page (axe-core builds a grid of every element)
 * walks a few slides instead of all. A slide holding a script is kept too: Marp's inline script
 * defines the custom elements that fit headings and shrink code.
 */
export function onlySlides(content: PageContent, keep: readonly number[]): PageContent {
  const kept = new Set(keep)
  const slides = content.slides.map((slide, i) => {
    if (kept.has(i + 1) || slide.includes('<script')) return slide
    return `${slide.slice(0, slide.indexOf('>') + 1)}${SLIDE_END}`
  })
  return { ...content, slides }
}

/**
 * The slides (1-based) whose markup differs between two contents of the same deck's page, or
 * 'all' when either is unknown, the frame differs or the slide count changed. An inserted slide
 * shifts the ones after it, and pagination renumbers them; counting everything as changed then
 * costs one full pass, as a fresh load does.
 */
export function changedSlides(before: PageContent | undefined, after: PageContent | undefined): number[] | 'all' {
  if (!before || !after || before.slides.length !== after.slides.length) return 'all'
  if (before.open !== after.open || before.close !== after.close) return 'all'
  if (before.frame.length !== after.frame.length || before.frame.some((part, i) => part !== after.frame[i])) return 'all'
  const changed: number[] = []
  after.slides.forEach((slide, i) => {
    if (slide !== before.slides[i]) changed.push(i + 1)
  })
  return changed
}
