import { cp, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import type { DeckResult } from '../../src/pipeline/types.js'
import { readPptx, type PptxInfo } from '../helpers/outputs.js'
import { buildOptions, FIXTURES, tempProject } from '../helpers/project.js'

/*
 * CSS effects in the editable PPTX (issue #12), read back from the package's XML: box-shadow and
 * text-shadow as native outer shadows, opacity in the colours' alpha, and a rotated heading and a
 * filtered box as pictures of themselves with their text invisible on top.
 */

let project: Awaited<ReturnType<typeof tempProject>>
let result: DeckResult
let pptx: PptxInfo

const slideXml = (n: number) => pptx.zip.file(`ppt/slides/slide${n}.xml`)!.async('string')
/** Each shape (`p:sp`) of a slide. */
const shapes = (xml: string) => xml.split('<p:sp>').slice(1)
const shapeWith = (xml: string, text: string) => shapes(xml).find((s) => s.includes(`<a:t>${text}`))
const pictures = (xml: string) =>
  [...xml.matchAll(/<p:pic>[\s\S]*?<a:off x="(\d+)" y="(\d+)"\/>\s*<a:ext cx="(\d+)" cy="(\d+)"\/>/g)].map((m) => m.slice(1).map(Number))
/** EMU of CSS px: 1 px = 0.75 pt = 9525 EMU, as pptxgenjs rounds points to hundredths. */
const emu = (px: number) => Math.round((Math.round(px * 75) / 100) * 12700)

beforeAll(async () => {
  project = await tempProject({ 'slides/effects.md': await readFile(path.join(FIXTURES, 'pptx/effects.md')) })
  await cp(path.join(FIXTURES, 'pptx/img'), path.join(project.dir, 'slides/img'), { recursive: true })
  const builder = new Builder(buildOptions(project.dir, { formats: ['pptx'] }))
  try {
    await builder.init()
    result = await builder.buildDeck(path.join(project.dir, 'slides/effects.md'))
  } finally {
    await builder.close()
  }
  pptx = await readPptx(path.join(project.dir, 'dist/effects.pptx'))
})

afterAll(async () => {
  await project?.cleanup()
})

describe('CSS effects in the editable PPTX (tests/fixtures/pptx/effects.md)', () => {
  it('gives a box its box-shadow as a native outer shadow of its shape', async () => {
    expect(result.errors).toEqual([])
    const xml = await slideXml(1)
    // box-shadow: 8px 8px 16px rgba(0, 0, 0, 0.35): 11.3 px away at 45°, a blur of 16 px.
    const box = shapes(xml).find((s) => s.includes('name="Box"') && s.includes('outerShdw'))
    expect(box).toBeDefined()
    const shadow = box!.match(/<a:outerShdw [^>]*>/)![0]
    expect(shadow).toContain(`blurRad="${emu(16)}"`)
    expect(shadow).toContain(`dist="${emu(Math.hypot(8, 8))}"`)
    expect(shadow).toContain('dir="2700000"')
    expect(box).toMatch(/<a:outerShdw[\s\S]*<a:srgbClr val="000000">\s*<a:alpha val="35000"\/>/)
  })

  it('gives a heading its text-shadow as the text box shadow', async () => {
    const title = shapeWith(await slideXml(1), 'Shadows')!
    expect(title).toContain('type="title"')
    // text-shadow: 3px 3px 4px rgba(0, 0, 0, 0.35).
    expect(title).toMatch(new RegExp(`<a:outerShdw [^>]*blurRad="${emu(4)}"[^>]*dist="${emu(Math.hypot(3, 3))}" dir="2700000"`))
  })

  it('takes an image with a box-shadow with its shadow: the picture is larger than the image', async () => {
    const [pic] = pictures(await slideXml(1))
    // w:160: the image is 160 px wide; its shadow (6px 6px 10px) paints outside it.
    expect(pic![2]).toBeGreaterThan(emu(160) + emu(16))
  })

  it('writes a rotated heading and a filtered box as pictures of themselves, their text invisible on top', async () => {
    const xml = await slideXml(2)
    expect(pictures(xml)).toHaveLength(2)
    for (const text of ['A rotated heading', 'A box with a drop-shadow filter becomes a picture of itself.']) {
      const shape = shapeWith(xml, text)
      expect(shape, text).toBeDefined()
      expect(shape).toMatch(/<a:solidFill>\s*<a:srgbClr val="000000">\s*<a:alpha val="0"\/>/)
    }
    // Neither is drawn as a native shape too: the filtered box's fill is in its picture only.
    expect(xml).not.toContain('FFF4D6')
  })

  it('multiplies opacity: 0.5 into the alpha of the text colour and of the inline code box', async () => {
    const xml = await slideXml(2)
    const text = shapeWith(xml, 'This paragraph, with ')!
    const colours = [...text.matchAll(/<a:rPr[\s\S]*?<\/a:rPr>/g)].map((m) => m[0])
    expect(colours.length).toBeGreaterThan(1)
    for (const rPr of colours) expect(rPr).toMatch(/<a:alpha val="50000"\/>/)
    // The inline code's background, its theme colour's alpha on slide 1, half of it on slide 2.
    const codeAlpha = (slide: string) =>
      Number(
        shapes(slide)
          .find((s) => s.includes('name="Box"') && !s.includes('outerShdw'))!
          .match(/<a:alpha val="(\d+)"\/>/)![1],
      )
    const full = codeAlpha(await slideXml(1))
    expect(full).toBeGreaterThan(0)
    expect(codeAlpha(xml)).toBe(full / 2)
  })
})
