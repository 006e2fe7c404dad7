import type { Colour, Shadow } from './model.js'

/*
 * CSS px of the slide to PowerPoint's units: pptxgenjs takes positions in inches and sizes of
 * text, lines and spacing in points (1 px = 1/96 in = 0.75 pt).
 */

export const PX_PER_INCH = 96

export const inches = (px: number): number => Math.round((px / PX_PER_INCH) * 10000) / 10000

export const points = (px: number): number => Math.round(px * 0.75 * 100) / 100

/** pptxgenjs's colour options: hex, and a transparency in percent when not opaque. */
export function colourOptions(c: Colour): { color: string; transparency?: number } {
  return c.alpha < 1 ? { color: c.hex, transparency: Math.round((1 - c.alpha) * 100) } : { color: c.hex }
}

/**
 * pptxgenjs's outer shadow options: the CSS offset as a distance (points) and a direction (whole
 * degrees clockwise from the x axis), the blur radius in points, the colour's alpha as opacity.
 * pptxgenjs 4.0.1 reads 0 as "unset" and writes its default instead (angle 270, blur 8 pt,
 * offset 4 pt), hence 359° for 0° and a hundredth of a point for no blur or offset.
 */
export function shadowOptions(s: Shadow): ShadowProps {
  const angle = Math.round((Math.atan2(s.y, s.x) * 180) / Math.PI + 360) % 360
  return {
    type: 'outer',
    angle: angle || 359,
    blur: points(s.blur) || 0.01,
    offset: points(Math.hypot(s.x, s.y)) || 0.01,
    color: s.colour.hex,
    opacity: s.colour.alpha,
  }
}

/*
 * pptxgenjs's types, as TypeScript (NodeNext) sees them: the package's CommonJS-style types put
 * the class is the module's default (see loadPptxLibs in ../pptx.ts for how it loads).
 */
export type Pptx = InstanceType<(typeof import('pptxgenjs'))['default']>
export type Slide = ReturnType<Pptx['addSlide']>
export type TextProps = NonNullable<Parameters<Slide['addText']>[0]> extends infer T ? (T extends Array<infer U> ? U : never) : never
export type TextPropsOptions = NonNullable<TextProps['options']>
export type TableRow = Parameters<Slide['addTable']>[0][number]
export type TableCellProps = NonNullable<TableRow[number]['options']>
export type BorderProps = Exclude<NonNullable<TableCellProps['border']>, unknown[]>
export type ShadowProps = NonNullable<TextPropsOptions['shadow']>
