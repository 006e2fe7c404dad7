import { inflateSync } from 'node:zlib'
import { readFile } from 'node:fs/promises'
import JSZip from 'jszip'
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib'
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs'

/** Parsed outputs: what a reader of the PDF or PowerPoint file would see. */
export interface PdfInfo {
  pages: number
  /** Page size in PDF points. */
  sizes: Array<{ width: number; height: number }>
  text: string[]
  title: string | undefined
  author: string | undefined
  outline: string[]
  annotations: string[][]
}

export async function readPdf(file: string): Promise<PdfInfo> {
  const data = new Uint8Array(await readFile(file))
  const doc = await getDocument({ data, useSystemFonts: false, isEvalSupported: false }).promise
  try {
    const sizes: PdfInfo['sizes'] = []
    const text: string[] = []
    const annotations: string[][] = []
    for (let i = 1; i <= doc.numPages; i += 1) {
      const page = await doc.getPage(i)
      const [, , w, h] = page.view as [number, number, number, number]
      sizes.push({ width: w, height: h })
      const content = await page.getTextContent()
      text.push(content.items.map((it) => ('str' in it ? it.str : '')).join(' '))
      const annots = (await page.getAnnotations()) as Array<{ contentsObj?: { str?: string } }>
      annotations.push(annots.map((a) => a.contentsObj?.str ?? '').filter(Boolean))
    }
    const meta = (await doc.getMetadata()).info as { Title?: string; Author?: string }
    const outline = ((await doc.getOutline()) ?? []).map((o) => o.title)
    return { pages: doc.numPages, sizes, text, title: meta.Title, author: meta.Author, outline, annotations }
  } finally {
    await doc.destroy()
  }
}

export interface PptxInfo {
  slides: number
  /** Slide size in EMU. */
  size: { cx: number; cy: number }
  notes: string[]
  title: string | undefined
  /** Width and height of each slide's picture, from the PNG header. */
  images: Array<{ width: number; height: number }>
  /** Each slide's picture, in slide order. */
  pictures: Uint8Array[]
  zip: JSZip
}

const xmlText = (xml: string): string =>
  [...xml.matchAll(/<a:t>([^<]*)<\/a:t>/g)]
    .map((m) => m[1])
    .join(' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')

export async function readPptx(file: string): Promise<PptxInfo> {
  const zip = await JSZip.loadAsync(await readFile(file))
  const names = Object.keys(zip.files)
  const slideNames = names
    .filter((n) => /^ppt\/slides\/slide\d+\.xml$/.test(n))
    .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
  const pres = await zip.file('ppt/presentation.xml')!.async('string')
  const sz = /<p:sldSz[^>]*cx="(\d+)"[^>]*cy="(\d+)"/.exec(pres)
  const notes: string[] = []
  const images: PptxInfo['images'] = []
  const pictures: Uint8Array[] = []
  for (let i = 1; i <= slideNames.length; i += 1) {
    const n = zip.file(`ppt/notesSlides/notesSlide${i}.xml`)
    // The notes page also holds the slide-number placeholder; the notes are the body placeholder.
    const body = n ? (await n.async('string')).split('<p:sp>').find((sp) => sp.includes('type="body"')) : undefined
    notes.push(body ? xmlText(body).trim() : '')
    const rels = await zip.file(`ppt/slides/_rels/slide${i}.xml.rels`)?.async('string')
    const media = rels ? /Target="\.\.\/media\/([^"]+\.png)"/.exec(rels)?.[1] : undefined
    if (media) {
      const png = await zip.file(`ppt/media/${media}`)!.async('uint8array')
      const view = new DataView(png.buffer, png.byteOffset)
      images.push({ width: view.getUint32(16), height: view.getUint32(20) })
      pictures.push(png)
    }
  }
  const core = await zip.file('docProps/core.xml')?.async('string')
  const title = core ? /<dc:title>([^<]*)<\/dc:title>/.exec(core)?.[1] : undefined
  return { slides: slideNames.length, size: { cx: Number(sz?.[1]), cy: Number(sz?.[2]) }, notes, title, images, pictures, zip }
}

/**
 * The colour of a PNG's top-left pixel, as `#rrggbb` (8-bit RGB or RGBA, as Chromium writes).
 * Every PNG row filter leaves the first pixel of the first row as raw bytes (its left and upper
 * neighbours count as zero), so inflating the image data is all it takes.
 */
export function topLeftPixel(data: Uint8Array): string {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const idat: Buffer[] = []
  for (let at = 8; at < buf.length;) {
    const length = buf.readUInt32BE(at)
    const type = buf.toString('latin1', at + 4, at + 8)
    if (type === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + length))
    at += 12 + length
  }
  const raw = inflateSync(Buffer.concat(idat))
  // raw[0] is the first row's filter type; the pixel follows.
  return `#${[raw[1]!, raw[2]!, raw[3]!].map((b) => b.toString(16).padStart(2, '0')).join('')}`
}

export function pngSize(data: Uint8Array): { width: number; height: number } {
  const view = new DataView(data.buffer, data.byteOffset)
  return { width: view.getUint32(16), height: view.getUint32(20) }
}

/** Names of the fonts embedded in a PDF (font descriptors that carry a font file). */
export async function embeddedFonts(file: string): Promise<string[]> {
  const doc = await PDFDocument.load(await readFile(file), { updateMetadata: false })
  const names = new Set<string>()
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFDict) || obj.get(PDFName.of('Type')) !== PDFName.of('FontDescriptor')) continue
    const embedded = ['FontFile', 'FontFile2', 'FontFile3'].some((k) => obj.has(PDFName.of(k)))
    const name = obj.get(PDFName.of('FontName'))
    if (embedded && name) names.add(name.toString().replace(/^\/([A-Z]{6}\+)?/, ''))
  }
  return [...names].sort()
}
