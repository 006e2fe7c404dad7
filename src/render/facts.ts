// What the engine's facts plugin records of a deck's source (see engine.ts): the lines of its
// slides, images, code blocks, headings and directives, for findings and lint. Types only.

export interface SlideFact {
  /** 1-based slide number. */
  slide: number
  /** 1-based line where the slide starts. */
  line: number
}
export interface ImageFact {
  src: string
  line: number
  slide: number
}
export interface FenceFact {
  lang: string
  /** Whether shiki knows the language (plain text counts as known). */
  known: boolean
  line: number
  slide: number
  lines: number
  /** Set when the fence is never closed, so it runs to the end of the deck: the separators it swallowed. */
  unclosed?: { separators: number }
}
export interface HeadingFact {
  level: number
  text: string
  line: number
  slide: number
}
export interface DirectiveFact {
  key: string
  value: unknown
  line: number
  slide: number
}
export interface DeckFacts {
  slides: SlideFact[]
  images: ImageFact[]
  fences: FenceFact[]
  headings: HeadingFact[]
  /** Directives set in HTML comments (front matter keys are reported from the front matter). */
  directives: DirectiveFact[]
  emptyListItems: Array<{ line: number; slide: number }>
}
