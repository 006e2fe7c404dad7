/*
 * The slide model of the editable PowerPoint: what the browser measures on the print page
 * (browser side: walk.ts, lines.ts) and what the package writer turns into shapes (node side).
 * Every length is in CSS px of the slide (1 px = 1/96 in = 0.75 pt), relative to its top-left
 * corner; every colour is `RRGGBB` with an optional alpha from 0 to 1.
 */

export interface Box {
  x: number
  y: number
  w: number
  h: number
}

export interface Colour {
  hex: string
  /** 1 when opaque. */
  alpha: number
}

/** An outer shadow (CSS box-shadow or text-shadow): offsets and blur radius in px. */
export interface Shadow {
  colour: Colour
  x: number
  y: number
  blur: number
}

/** A piece of text in one style. */
export interface Run {
  text: string
  font: string
  /** Rendered size in px (computed size × any scale Marp applied: fitted headings, shrunk code). */
  size: number
  colour: Colour
  bold?: boolean
  italic?: boolean
  underline?: boolean
  strike?: boolean
  href?: string
  /** Letter spacing in px. */
  spacing?: number
  /** The generic family the font falls back to, when not sans-serif (tells PowerPoint how to substitute it). */
  generic?: 'monospace' | 'serif'
}

export type Bullet = { kind: 'char'; char: string; colour?: Colour } | { kind: 'number'; style: string; start: number }

/** One paragraph: the lines as the browser broke them. */
export interface Paragraph {
  /** Each line's runs; a line break goes between lines. */
  lines: Run[][]
  /** Top of the first line box, relative to the text box. */
  top: number
  /** Left edge of the text, relative to the text box. */
  left: number
  lineHeight: number
  /** Height of the glyph boxes (the font's ascent + descent) on the first line, for where text sits in its line. */
  glyph?: number
  align: 'left' | 'center' | 'right' | 'justify'
  bullet?: Bullet
  /** Nesting depth of a list item (0 for the outer list). */
  level?: number
  /** Where the bullet starts, relative to the text box. */
  bulletLeft?: number
}

export interface TextItem {
  kind: 'text'
  box: Box
  paragraphs: Paragraph[]
  /** The slide's first heading: goes into the title placeholder. */
  title?: boolean
  /** Monospace code (kept apart so the writer names it). */
  code?: boolean
  /** The text-shadow every run of the item has. */
  shadow?: Shadow
}

export interface Border {
  colour: Colour
  width: number
  style: 'solid' | 'dashed' | 'dotted'
}

/** A box's background, border and rounded corners (code blocks, block quotes, headers…). */
export interface ShapeItem {
  kind: 'shape'
  box: Box
  fill?: Colour
  /** One border all round, or per side (top, right, bottom, left) when they differ. */
  border?: Border
  sides?: [Border | undefined, Border | undefined, Border | undefined, Border | undefined]
  radius?: number
  /** The box's first outer box-shadow. */
  shadow?: Shadow
}

/** A picture of one element, shot at 2x (see element-shots.ts); `id` names the shot. */
export interface PictureItem {
  kind: 'picture'
  box: Box
  id: number
  format: 'png' | 'jpeg'
  alt?: string
}

export interface Cell {
  paragraphs: Paragraph[]
  fill?: Colour
  /** Top, right, bottom, left. */
  borders: [Border | undefined, Border | undefined, Border | undefined, Border | undefined]
  /** Top, right, bottom, left padding. */
  padding: [number, number, number, number]
  valign: 'top' | 'middle' | 'bottom'
  colspan: number
  rowspan: number
}

export interface TableItem {
  kind: 'table'
  box: Box
  columns: number[]
  rows: Array<{ height: number; cells: Cell[] }>
}

export type Item = TextItem | ShapeItem | PictureItem | TableItem

export interface SlideModel {
  /** The slide's background colour (the section's, over white). */
  background: Colour
  /** Back to front. */
  items: Item[]
}

/** What the walk of a print page gives: the slides, and the pictures to shoot per slide. */
export interface PageModel {
  slides: SlideModel[]
  /** Per picture id: its slide (0-based), how to shoot it, and its box clipped to the slide. */
  shots: Shot[]
}

export interface Shot {
  id: number
  slide: number
  box: Box
  format: 'png' | 'jpeg'
  /** `element`: the element and what it holds; `background`: the element's own box only; `::before`, `::after`: that pseudo-element's box only. */
  mode: 'element' | 'background' | '::before' | '::after'
}

/** The attribute that marks an element to shoot (its value is the shot id). */
export const SHOT_ATTRIBUTE = 'data-deck-pptx-shot'
