import { describe, expect, it } from 'vitest'
import { ChunkCaptures, type SlideCapture } from '../../src/export/pptx/extract.js'
import type { PictureItem, SlideModel } from '../../src/export/pptx/model.js'

// A big deck's editable PPTX is read a chunk at a time: the chunks must give the capture one
// read of the whole deck gives (slides in order, picture ids numbered over the deck).

const box = { x: 1, y: 2, w: 30, h: 40 }
const picture = (id: number): PictureItem => ({ kind: 'picture', box, id, format: 'png' })
const slide = (hex: string, ids: number[]): SlideModel => ({ background: { hex, alpha: 1 }, items: ids.map(picture) })

/** The capture of `slides` (0-based) read alone: ids from 0 in the order the walk meets the pictures. */
function chunk(slides: Array<[number, string, number]>): SlideCapture {
  let next = 0
  const model: SlideCapture['model'] = { slides: [], shots: [] }
  const pictures = new Map<number, Uint8Array>()
  for (const [index, hex, count] of slides) {
    const ids = Array.from({ length: count }, () => next++)
    model.slides.push(slide(hex, ids))
    for (const id of ids) {
      model.shots.push({ id, slide: index, box, format: 'png', mode: 'element' })
      pictures.set(id, Uint8Array.of(index, id))
    }
  }
  return { model, pictures }
}

describe('ChunkCaptures', () => {
  it('puts chunks read in any order together as one read of the deck', () => {
    const captures = new ChunkCaptures()
    // The second window reads from the back of the deck, the print page from the front.
    captures.add(
      [2, 3],
      chunk([
        [2, 'CCCCCC', 2],
        [3, 'DDDDDD', 0],
      ]),
    )
    captures.add(
      [0, 1],
      chunk([
        [0, 'AAAAAA', 1],
        [1, 'BBBBBB', 1],
      ]),
    )
    const whole = captures.whole(4)
    expect(whole.model.slides.map((s) => s.background.hex)).toEqual(['AAAAAA', 'BBBBBB', 'CCCCCC', 'DDDDDD'])
    const ids = whole.model.slides.map((s) => s.items.map((i) => (i as PictureItem).id))
    expect(ids).toEqual([[0], [1], [2, 3], []])
    expect(whole.model.shots.map((s) => [s.id, s.slide])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 2],
    ])
    // Each picture keeps its bytes (slide, id in its chunk) under its new id.
    expect([...whole.pictures].map(([id, bytes]) => [id, [...bytes]])).toEqual([
      [0, [0, 0]],
      [1, [1, 1]],
      [2, [2, 0]],
      [3, [2, 1]],
    ])
  })

  it('refuses a deck with a slide no chunk read', () => {
    const captures = new ChunkCaptures()
    captures.add([0], chunk([[0, 'AAAAAA', 0]]))
    expect(() => captures.whole(2)).toThrow(/slide 2 was not read/)
  })
})
