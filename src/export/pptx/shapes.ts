import type { Border, Box, PictureItem, ShapeItem } from './model.js'
import { colourOptions, inches, points, shadowOptions, type Pptx, type Slide } from './units.js'

/*
 * Boxes and pictures: a box's background and border become a rectangle (rounded when the box
 * is), a border that differs per side becomes a thin filled rectangle per side, and each
 * element picture is placed at its box.
 */

const DASH: Record<Border['style'], 'solid' | 'dash' | 'sysDot'> = { solid: 'solid', dashed: 'dash', dotted: 'sysDot' }

const position = (b: Box) => ({ x: inches(b.x), y: inches(b.y), w: inches(Math.max(b.w, 0.5)), h: inches(Math.max(b.h, 0.5)) })

export function addShape(pptx: Pptx, slide: Slide, item: ShapeItem): void {
  const { box, fill, border, sides, radius } = item
  const round = radius && radius > 0.5
  if (fill || border) {
    slide.addShape(round ? pptx.ShapeType.roundRect : pptx.ShapeType.rect, {
      ...position(border ? inset(box, border.width) : box),
      fill: fill ? colourOptions(fill) : { type: 'none' },
      line: border ? { ...colourOptions(border.colour), width: points(border.width), dashType: DASH[border.style] } : { type: 'none' },
      ...(round ? { rectRadius: inches(Math.min(radius, box.w / 2, box.h / 2)) } : {}),
      ...(item.shadow ? { shadow: shadowOptions(item.shadow) } : {}),
      objectName: 'Box',
    })
  }
  if (!sides) return
  const [top, right, bottom, left] = sides
  const edges: Array<[Border | undefined, Box]> = [
    [top, { x: box.x, y: box.y, w: box.w, h: top?.width ?? 0 }],
    [right, { x: box.x + box.w - (right?.width ?? 0), y: box.y, w: right?.width ?? 0, h: box.h }],
    [bottom, { x: box.x, y: box.y + box.h - (bottom?.width ?? 0), w: box.w, h: bottom?.width ?? 0 }],
    [left, { x: box.x, y: box.y, w: left?.width ?? 0, h: box.h }],
  ]
  for (const [b, edge] of edges) {
    if (!b) continue
    slide.addShape(pptx.ShapeType.rect, { ...position(edge), fill: colourOptions(b.colour), line: { type: 'none' }, objectName: 'Border' })
  }
}

/** A border is drawn centred on the shape's outline; CSS draws it inside the box. */
const inset = (b: Box, width: number): Box => ({ x: b.x + width / 2, y: b.y + width / 2, w: b.w - width, h: b.h - width })

export function addPicture(slide: Slide, item: PictureItem, bytes: Uint8Array | undefined): void {
  if (!bytes) return
  slide.addImage({
    data: `image/${item.format};base64,${Buffer.from(bytes).toString('base64')}`,
    ...position(item.box),
    ...(item.alt ? { altText: item.alt } : {}),
  })
}
