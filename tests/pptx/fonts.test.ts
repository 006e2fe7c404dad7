import { cp, readFile } from 'node:fs/promises'
import path from 'node:path'
import { Font } from 'fonteditor-core'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { embedFonts, FONT_CONTENT_TYPE, fontFamilies, pptxTypeface, type UsedFont } from '../../src/export/pptx/fonts.js'
import { writeZip, zipPart, type ZipPart } from '../../src/export/zip.js'
import { Builder } from '../../src/pipeline/builder.js'
import { buildOptions, FIXTURES, tempProject } from '../helpers/project.js'
import { packageProblems } from './structure.js'

/*
 * Font embedding (src/export/pptx/fonts.ts) on a real package: a PPTX our pipeline built, its
 * parts given to embedFonts, the result unzipped and checked part by part.
 */

const USED: UsedFont[] = [
  { family: '"JetBrains Mono", monospace', weight: 400, italic: false },
  { family: 'Inter, sans-serif', weight: 700, italic: false },
  { family: 'Inter, sans-serif', weight: 400, italic: false },
  { family: 'Inter', weight: 400, italic: true },
  { family: 'Inter', weight: 600, italic: false }, // the bold face, like 700
  { family: 'Fira Sans, sans-serif', weight: 400, italic: false }, // not ours to embed
]

let cleanup: () => Promise<void>
let built: Uint8Array
let parts: ZipPart[]
let embedded: JSZip
let embeddedBytes: Uint8Array

async function partsOf(data: Uint8Array): Promise<ZipPart[]> {
  const zip = await JSZip.loadAsync(data)
  const names = Object.keys(zip.files).filter((n) => !zip.files[n]!.dir)
  return Promise.all(names.map(async (n) => zipPart(n, await zip.file(n)!.async('uint8array'), !n.startsWith('ppt/media/'))))
}

beforeAll(async () => {
  const p = await tempProject()
  cleanup = p.cleanup
  await cp(path.join(FIXTURES, 'pptx'), path.join(p.dir, 'slides'), { recursive: true })
  const builder = new Builder(buildOptions(p.dir, { formats: ['pptx'] }))
  try {
    await builder.init()
    const result = await builder.buildDeck(path.join(p.dir, 'slides/palette-3.md'))
    expect(result.errors).toEqual([])
    built = new Uint8Array(await readFile(result.outputs.find((o) => o.format === 'pptx')!.file))
  } finally {
    await builder.close()
  }
  parts = await partsOf(built)
  embeddedBytes = writeZip(await embedFonts(parts, USED), new Date('2000-01-01T00:00:00Z'))
  embedded = await JSZip.loadAsync(embeddedBytes)
}, 180_000)

afterAll(async () => {
  await cleanup?.()
})

describe('pptxTypeface and the fallback map', () => {
  it('names an embedded font as itself, any other by a fallback installed with Windows and macOS', () => {
    expect(fontFamilies(`"JetBrains Mono", 'Fira Code', monospace`)).toEqual(['JetBrains Mono', 'Fira Code', 'monospace'])
    expect(pptxTypeface('Inter, sans-serif')).toEqual({ typeface: 'Inter', embedded: true })
    expect(pptxTypeface('"JetBrains Mono", monospace')).toEqual({ typeface: 'JetBrains Mono', embedded: true })
    expect(pptxTypeface('"Fira Code", monospace')).toEqual({ typeface: 'Courier New', embedded: false })
    // Marp's default theme: Chromium draws these with Liberation Sans and Liberation Mono here, Arial's and Courier New's twins.
    const marpSans = '-apple-system, "BlinkMacSystemFont", "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif, "Apple Color Emoji"'
    expect(pptxTypeface(marpSans)).toEqual({ typeface: 'Arial', embedded: false })
    const marpMono = 'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace'
    expect(pptxTypeface(marpMono)).toEqual({ typeface: 'Courier New', embedded: false })
    expect(pptxTypeface('Liberation Sans')).toEqual({ typeface: 'Arial', embedded: false })
    expect(pptxTypeface('"Helvetica Neue", Arial, sans-serif')).toEqual({ typeface: 'Arial', embedded: false })
    expect(pptxTypeface('Georgia, serif')).toEqual({ typeface: 'Georgia', embedded: false })
    expect(pptxTypeface('Unknown Face')).toEqual({ typeface: 'Unknown Face', embedded: false })
  })
})

describe('the PPTX the pipeline builds', () => {
  it('embeds the faces of Inter and JetBrains Mono its text uses, and names them in the runs', async () => {
    const zip = await JSZip.loadAsync(built)
    const pres = await zip.file('ppt/presentation.xml')!.async('string')
    const typefaces = [...pres.matchAll(/<p:embeddedFont><p:font typeface="([^"]+)"\/>/g)].map((m) => m[1])
    expect(typefaces).toEqual(['Inter', 'JetBrains Mono'])
    const slides = await Promise.all([1, 2].map((i) => zip.file(`ppt/slides/slide${i}.xml`)!.async('string')))
    expect(slides.join('')).toContain('typeface="Inter"')
    expect(slides.join('')).toContain('typeface="JetBrains Mono"')
    expect(await packageProblems(zip)).toEqual([])
  })
})

describe('embedFonts on a package the pipeline built', () => {
  it('puts one EOT .fntdata part per face in place of the fonts embedded before, only for the fonts it may embed', async () => {
    const fonts = Object.keys(embedded.files).filter((n) => n.startsWith('ppt/fonts/'))
    // Inter: regular, bold, italic; JetBrains Mono: regular. Fira Sans is left to its fallback.
    expect(fonts.sort()).toEqual([
      'ppt/fonts/font1.fntdata',
      'ppt/fonts/font2.fntdata',
      'ppt/fonts/font3.fntdata',
      'ppt/fonts/font4.fntdata',
    ])
    for (const name of fonts) {
      const eot = Buffer.from(await embedded.file(name)!.async('uint8array'))
      expect(eot.readUInt32LE(0)).toBe(eot.length) // EOTSize
      expect(eot.readUInt16LE(34)).toBe(0x504c) // MagicNumber
      expect(eot.readUInt32LE(12) & 0x4).toBe(0) // not MicroType-compressed
      const ttf = eot.subarray(eot.length - eot.readUInt32LE(4))
      expect(ttf.readUInt32BE(0)).toBe(0x00010000) // a TrueType font follows the header
    }
    // The header names each face: family, style, italic flag and weight.
    const header = async (n: number) => {
      const eot = Buffer.from(await embedded.file(`ppt/fonts/font${n}.fntdata`)!.async('uint8array'))
      const familySize = eot.readUInt16LE(82)
      const styleSize = eot.readUInt16LE(84 + familySize + 2)
      const family = eot.toString('utf16le', 84, 84 + familySize)
      const style = eot.toString('utf16le', 84 + familySize + 4, 84 + familySize + 4 + styleSize)
      return [family, style, eot[27], eot.readUInt32LE(28)]
    }
    expect(await Promise.all([1, 2, 3, 4].map(header))).toEqual([
      ['Inter', 'Regular', 0, 400],
      ['Inter', 'Bold', 0, 700],
      ['Inter', 'Italic', 1, 400],
      ['JetBrains Mono', 'Regular', 0, 400],
    ])
  })

  it('lists the faces in presentation.xml, each slot pointing at its own font relationship', async () => {
    const pres = await embedded.file('ppt/presentation.xml')!.async('string')
    const rels = await embedded.file('ppt/_rels/presentation.xml.rels')!.async('string')
    expect(pres).toMatch(/<p:presentation\b[^>]*embedTrueTypeFonts="1"/)
    // After notesSz, before defaultTextStyle (CT_Presentation's order).
    expect(pres).toMatch(/<p:notesSz[^>]*\/><p:embeddedFontLst>[\s\S]*<\/p:embeddedFontLst>[\s\S]*<p:defaultTextStyle/)
    const list = /<p:embeddedFontLst>([\s\S]*)<\/p:embeddedFontLst>/.exec(pres)![1]!
    const faces = [...list.matchAll(/<p:embeddedFont><p:font typeface="([^"]+)"\/>((?:<p:\w+ r:id="rId\d+"\/>)+)<\/p:embeddedFont>/g)]
    expect(faces.map((f) => [f[1], [...f[2]!.matchAll(/<p:(\w+) /g)].map((m) => m[1])])).toEqual([
      ['Inter', ['regular', 'bold', 'italic']],
      ['JetBrains Mono', ['regular']],
    ])
    const ids = [...list.matchAll(/r:id="(rId\d+)"/g)].map((m) => m[1]!)
    expect(new Set(ids).size).toBe(4)
    const allIds = [...rels.matchAll(/Id="(rId\d+)"/g)].map((m) => m[1]!)
    expect(new Set(allIds).size).toBe(allIds.length)
    for (const id of ids) {
      const rel = new RegExp(`<Relationship Id="${id}" Type="([^"]+)" Target="([^"]+)"/>`).exec(rels)
      expect(rel?.[1]).toBe('http://schemas.openxmlformats.org/officeDocument/2006/relationships/font')
      expect(embedded.file(`ppt/${rel![2]}`)).not.toBeNull()
    }
  })

  it('declares the fntdata content type and leaves a package PowerPoint opens without repair', async () => {
    const types = await embedded.file('[Content_Types].xml')!.async('string')
    expect(types).toContain(`<Default Extension="fntdata" ContentType="${FONT_CONTENT_TYPE}"/>`)
    expect(await packageProblems(embedded)).toEqual([])
  })

  it('embeds latin and latin-ext in one font per face (ł, ő, ğ as well as A)', async () => {
    const eot = Buffer.from(await embedded.file('ppt/fonts/font1.fntdata')!.async('uint8array'))
    const ttf = eot.subarray(eot.length - eot.readUInt32LE(4))
    const font = Font.create(ttf, { type: 'ttf' })
    const codes = new Set(font.get().glyf.flatMap((g) => g.unicode ?? []))
    for (const c of 'Ałőğ€') expect(codes.has(c.codePointAt(0)!)).toBe(true)
    expect(font.get().name.fontFamily).toBe('Inter')
  })

  it('gives the same bytes for the same faces in any order, and leaves a package without our fonts as it was', async () => {
    const again = writeZip(await embedFonts(parts, [...USED].reverse()), new Date('2000-01-01T00:00:00Z'))
    expect(Buffer.compare(Buffer.from(again), Buffer.from(embeddedBytes))).toBe(0)
    const none = await embedFonts(parts, [{ family: 'Fira Sans', weight: 400, italic: false }])
    expect(none.map((p) => p.name)).toEqual(parts.map((p) => p.name))
  })
})
