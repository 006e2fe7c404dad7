import { copyFile, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import type { DeckResult } from '../../src/pipeline/types.js'
import { readPptx, type PptxInfo } from '../helpers/outputs.js'
import { buildOptions, PNG_1PX, SEED, tempProject } from '../helpers/project.js'

/*
 * The editable PPTX (issue #12): slides rebuilt from the print page as text runs, shapes, native
 * tables and element pictures, read back from the package's XML.
 */

const FIXTURE = [
  '---',
  'marp: true',
  'title: Editable fixture',
  'author: Deck Tests',
  'keywords: [pptx, editable]',
  '---',
  '',
  '# Native pieces',
  '',
  'A [link to the spec](https://example.com/spec) and `inline code`.',
  '',
  '| Name | Value |',
  '| ---- | ----: |',
  '| one  |     1 |',
  '| two  |     2 |',
  '',
  '<!-- A note for the speaker -->',
  '',
  '---',
  '',
  '## Code and a picture',
  '',
  '```js',
  'const answer = 42 // the answer',
  'console.log(`answer: ${answer}`)',
  '```',
  '',
  '![w:200](dot.png)',
  '',
  '---',
  '',
  'A slide without a heading.',
  '',
].join('\n')

let project: Awaited<ReturnType<typeof tempProject>>
let seed: DeckResult
let fixture: DeckResult
let seedPptx: PptxInfo
let fixturePptx: PptxInfo
let firstBytes: Buffer

const slideXml = (pptx: PptxInfo, n: number) => pptx.zip.file(`ppt/slides/slide${n}.xml`)!.async('string')
const slideRels = (pptx: PptxInfo, n: number) => pptx.zip.file(`ppt/slides/_rels/slide${n}.xml.rels`)!.async('string')
const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
const texts = (xml: string) => [...xml.matchAll(/<a:t>([^<]*)<\/a:t>/g)].map((m) => decode(m[1]!))
/** Each shape (`p:sp`) of a slide. */
const shapes = (xml: string) => xml.split('<p:sp>').slice(1)
/** Sizes (EMU) of the slide's pictures. */
const pictureSizes = (xml: string) =>
  [...xml.matchAll(/<p:pic>[\s\S]*?<a:ext cx="(\d+)" cy="(\d+)"\/>/g)].map((m) => ({ cx: Number(m[1]), cy: Number(m[2]) }))

beforeAll(async () => {
  project = await tempProject({ 'slides/fixture.md': FIXTURE, 'slides/dot.png': PNG_1PX })
  await copyFile(SEED, path.join(project.dir, 'slides/seed.md'))
  const builder = new Builder(buildOptions(project.dir, { formats: ['pptx'] }))
  try {
    await builder.init()
    seed = await builder.buildDeck(path.join(project.dir, 'slides/seed.md'))
    fixture = await builder.buildDeck(path.join(project.dir, 'slides/fixture.md'))
    firstBytes = await readFile(path.join(project.dir, 'dist/fixture.pptx'))
    // The same deck again, in the same warm browser: the same bytes.
    await builder.buildDeck(path.join(project.dir, 'slides/fixture.md'))
  } finally {
    await builder.close()
  }
  seedPptx = await readPptx(path.join(project.dir, 'dist/seed.pptx'))
  fixturePptx = await readPptx(path.join(project.dir, 'dist/fixture.pptx'))
})

afterAll(async () => {
  await project?.cleanup()
})

describe('the editable PPTX of the seed', () => {
  it('holds each slide as text runs, with no picture of a whole slide', async () => {
    expect(seed.errors).toEqual([])
    expect(seedPptx.slides).toBe(16)
    for (let n = 1; n <= 16; n += 1) {
      const xml = await slideXml(seedPptx, n)
      expect(texts(xml).join('').trim().length, `slide ${n}`).toBeGreaterThan(0)
      for (const pic of pictureSizes(xml)) expect(pic.cx >= seedPptx.size.cx && pic.cy >= seedPptx.size.cy, `slide ${n}`).toBe(false)
    }
    const slide10 = texts(await slideXml(seedPptx, 10)).join('')
    expect(slide10).toContain('One ethernet interface in the pod')
    expect(slide10).toContain('link/loopback 00:00:00:00:00:00')
  })

  it('puts the first heading of slide 1 in the title placeholder', async () => {
    const title = shapes(await slideXml(seedPptx, 1)).find((sp) => /<p:ph\b[^>]*type="title"/.test(sp))
    expect(texts(title!).join('')).toBe('Deep dive into CNI')
    expect(seedPptx.title).toBe('Deep dive into CNI')
  })

  it('titles a slide without a heading as its PDF bookmark, above the slide where it does not show', async () => {
    const placed = async (n: number) => {
      const title = shapes(await slideXml(seedPptx, n)).find((sp) => /<p:ph\b[^>]*type="title"/.test(sp))!
      const [, y, cy] = /<a:off x="-?\d+" y="(-?\d+)"\/><a:ext cx="\d+" cy="(\d+)"\/>/.exec(title)!.map(Number)
      return { text: texts(title).join(''), y: y!, bottom: y! + cy! }
    }
    // Slides 10, 12, 14 and 15 of the seed are code and output without a heading.
    for (const n of [10, 12, 14, 15]) {
      const title = await placed(n)
      expect(title.text, `slide ${n}`).toBe(`Slide ${n}`)
      expect(title.bottom, `slide ${n}`).toBeLessThanOrEqual(0)
    }
    expect((await placed(11)).text).toBe('VM Examples - Primary UDN')
    expect((await placed(11)).y).toBeGreaterThanOrEqual(0)
  })

  it('keeps links as hyperlinks and code tokens as coloured monospace runs', async () => {
    expect(await slideRels(seedPptx, 1)).toMatch(/Target="https:\/\/cni\.dev\/" TargetMode="External"/)
    expect(await slideXml(seedPptx, 1)).toContain('<a:hlinkClick r:id=')
    // Slide 9: the YAML block, one colour per kind of token.
    const code = shapes(await slideXml(seedPptx, 9)).filter((sp) => sp.includes('name="Code"'))
    expect(code).toHaveLength(1)
    const colours = new Set([...code[0]!.matchAll(/<a:srgbClr val="([0-9A-F]{6})"/g)].map((m) => m[1]))
    expect(colours.size).toBeGreaterThanOrEqual(3)
    expect(code[0]).toMatch(/typeface="JetBrains Mono" pitchFamily="49"/)
    expect(texts(code[0]!).join('')).toContain('apiVersion: kubevirt.io/v1')
  })
})

describe('the editable PPTX of a fixture deck', () => {
  it('has a native table, notes, a hyperlink and the document properties', async () => {
    expect(fixture.errors).toEqual([])
    const slide1 = await slideXml(fixturePptx, 1)
    expect(slide1).toContain('<a:tbl>')
    const table = slide1.slice(slide1.indexOf('<a:tbl>'), slide1.indexOf('</a:tbl>'))
    expect(texts(table)).toEqual(['Name', 'Value', 'one', '1', 'two', '2'])
    expect(table).toMatch(/<a:gridCol w="\d+"/)
    expect(await slideRels(fixturePptx, 1)).toContain('Target="https://example.com/spec" TargetMode="External"')
    expect(texts(slide1)).toContain('link to the spec')
    expect(fixturePptx.notes).toEqual(['A note for the speaker', '', ''])
    const core = await fixturePptx.zip.file('docProps/core.xml')!.async('string')
    expect(core).toContain('<dc:title>Editable fixture</dc:title>')
    expect(core).toContain('<dc:creator>Deck Tests</dc:creator>')
    expect(core).toContain('<cp:keywords>pptx; editable</cp:keywords>')
  })

  it('shows an image as a picture of its own box, at 2x, and code as text', async () => {
    const xml = await slideXml(fixturePptx, 2)
    const pictures = pictureSizes(xml)
    expect(pictures).toHaveLength(1)
    // 200 CSS px wide (w:200): 200/96 in.
    expect(pictures[0]!.cx).toBeCloseTo((200 / 96) * 914400, -3)
    expect(fixturePptx.images).toEqual([{ width: 400, height: 400 }])
    expect(texts(xml).join('')).toContain('const answer = 42 // the answer')
  })

  it('writes the same bytes for the same deck', async () => {
    expect(await readFile(path.join(project.dir, 'dist/fixture.pptx'))).toEqual(firstBytes)
  })

  it('still writes one picture per slide in picture mode', async () => {
    const builder = new Builder(
      buildOptions(project.dir, { formats: ['pptx'], pptxMode: 'picture', outDir: path.join(project.dir, 'pictures') }),
    )
    try {
      await builder.init()
      expect((await builder.buildDeck(path.join(project.dir, 'slides/fixture.md'))).errors).toEqual([])
    } finally {
      await builder.close()
    }
    const pptx = await readPptx(path.join(project.dir, 'pictures/fixture.pptx'))
    expect(pptx.images).toEqual(Array.from({ length: 3 }, () => ({ width: 2560, height: 1440 })))
    expect(texts(await slideXml(pptx, 1))).toEqual([])
    expect(pptx.notes[0]).toBe('A note for the speaker')
  })
})
