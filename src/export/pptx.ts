import type JSZip from 'jszip'
import type { RenderedDeck } from '../render/render.js'
import { DeckError } from '../util/errors.js'
import { writeZip, zipPart, type ZipPart } from './zip.js'

/*
 * PowerPoint: one slide per slide at the deck's size, the slide image (2x) as a full-bleed
 * picture, speaker notes in the notes pane, title, author, subject and keywords in the document
 * properties. The slides are pictures, not editable text.
 */

export interface PptxOptions {
  /** Fixed date for docProps and zip entries, so the same deck gives the same bytes. */
  date: Date
}

const PX_PER_INCH = 96

// Loaded on first use, so start-up does not pay for them. pptxgenjs ships ESM code with
// CommonJS-style types: at run time the default export is the class, but TypeScript (NodeNext)
// sees the module object.
export async function loadPptxLibs() {
  const [pptx, zip] = await Promise.all([import('pptxgenjs'), import('jszip')])
  const PptxGenJS = pptx.default as unknown as typeof pptx.default.default
  return { PptxGenJS, JSZip: zip.default }
}

/**
 * A pptxgenjs presentation at the deck's size with its document properties: what the picture
 * deck and the editable deck both start from. Width and height are in inches.
 */
export async function newPresentation(deck: RenderedDeck) {
  const { PptxGenJS, JSZip } = await loadPptxLibs()
  const pptx = new PptxGenJS()
  const width = deck.size.width / PX_PER_INCH
  const height = deck.size.height / PX_PER_INCH
  pptx.defineLayout({ name: 'DECK', width, height })
  pptx.layout = 'DECK'
  pptx.title = deck.title
  if (deck.author) pptx.author = deck.author
  if (deck.description) pptx.subject = deck.description
  pptx.company = ''
  pptx.revision = '1'
  return { pptx, JSZip, width, height }
}

/**
 * Everything of the package but the slide pictures: made while the screenshots are being taken,
 * so that only the pictures are left to add (and the zip to write) once the last one arrives.
 */
export interface PptxSkeleton {
  /** Every part in package order, XML already compressed; a slide picture's part is its placeholder. */
  parts: ZipPart[]
  /** Zip path of each slide's picture → slide index. */
  media: Map<string, number>
  date: Date
}

export async function preparePptx(deck: RenderedDeck, opts: PptxOptions): Promise<PptxSkeleton> {
  const { pptx, JSZip, width, height } = await newPresentation(deck)

  for (let i = 0; i < deck.slideCount; i += 1) {
    const slide = pptx.addSlide()
    slide.addImage({ data: PLACEHOLDER_PNG, x: 0, y: 0, w: width, h: height })
    const note = deck.notes[i]
    if (note) slide.addNotes(note)
  }
  const zip = await writtenPackage(pptx, JSZip, deck, opts.date)
  return { parts: await packageParts(zip), media: await slideMedia(zip), date: opts.date }
}

type Presentation = Awaited<ReturnType<typeof newPresentation>>

/**
 * pptxgenjs builds its package in a JSZip and hands back what `generateAsync` makes of it; with
 * this output type that is the JSZip itself. The package is then mended in place, not written
 * out by JSZip (a CRC-32 of every part in JavaScript) and parsed back in.
 */
const KEEP_ZIP = 'deck:jszip'

function keepZip(Zip: Presentation['JSZip']): void {
  const proto = Zip.prototype as JSZip & { deckKeepsZip?: true }
  if (proto.deckKeepsZip) return
  const generate = proto.generateAsync
  proto.generateAsync = function (this: JSZip, options?: JSZip.JSZipGeneratorOptions, onUpdate?: JSZip.OnUpdateCallback) {
    if ((options?.type as string | undefined) === KEEP_ZIP) return Promise.resolve(this) as unknown as ReturnType<JSZip['generateAsync']>
    return generate.call(this, options, onUpdate)
  } as JSZip['generateAsync']
  proto.deckKeepsZip = true
}

/** The package pptxgenjs writes, opened for mending, with the fixed dates and the keywords. */
export async function writtenPackage(
  pptx: Presentation['pptx'],
  Zip: Presentation['JSZip'],
  deck: RenderedDeck,
  date: Date,
): Promise<JSZip> {
  keepZip(Zip)
  const zip = (await pptx.write({ outputType: KEEP_ZIP as 'uint8array' })) as unknown
  if (!(zip instanceof Zip))
    throw new DeckError('pptxgenjs did not hand back its package (see keepZip in src/export/pptx.ts)', {
      hint: 'This is a bug in deck, likely a pptxgenjs version other than 4.0.1: please report it.',
    })
  await fixDates(zip, date)
  await orderPresentation(zip)
  if (deck.keywords?.length) await addKeywords(zip, deck.keywords)
  return zip
}

/** Every part of the package, `[Content_Types].xml` first. PNGs and JPEGs do not shrink: only the XML parts are deflated. */
export async function packageParts(zip: JSZip): Promise<ZipPart[]> {
  const names = Object.keys(zip.files)
    .filter((name) => !zip.files[name]!.dir)
    .sort((a, b) => (a === '[Content_Types].xml' ? -1 : b === '[Content_Types].xml' ? 1 : 0))
  return Promise.all(names.map(async (name) => zipPart(name, await zip.file(name)!.async('uint8array'), !name.startsWith('ppt/media/'))))
}

// pptxgenjs only takes images as base64 text, which it decodes again: every 2x picture would be
// encoded, decoded and copied for nothing. It gets a 1x1 placeholder per slide instead,
// and finishPptx() puts the real PNG bytes in its place.
const PLACEHOLDER_PNG = 'image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

/** Media file of each slide's picture, from the slide relationships pptxgenjs wrote. */
async function slideMedia(zip: JSZip): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (const name of Object.keys(zip.files)) {
    const m = /^ppt\/slides\/_rels\/slide(\d+)\.xml\.rels$/.exec(name)
    if (!m) continue
    const rels = await zip.file(name)!.async('string')
    const target = /Target="\.\.\/media\/([^"]+)"/.exec(rels)?.[1]
    if (target) out.set(`ppt/media/${target}`, Number(m[1]) - 1)
  }
  return out
}

/** pptxgenjs stamps the current time in docProps/core.xml; the same deck must give the same bytes. */
async function fixDates(zip: JSZip, date: Date): Promise<void> {
  const core = zip.file('docProps/core.xml')
  if (!core) return
  const iso = date.toISOString().replace(/\.\d{3}Z$/, 'Z')
  const xml = (await core.async('string')).replace(
    /(<dcterms:(?:created|modified)[^>]*>)[^<]*(<\/dcterms:(?:created|modified)>)/g,
    `$1${iso}$2`,
  )
  zip.file('docProps/core.xml', xml)
}

/**
 * pptxgenjs writes `p:notesMasterIdLst` after `p:sldIdLst`, where ECMA-376's CT_Presentation has
 * it right after `p:sldMasterIdLst`: the Open XML SDK's validator reports the order as a schema
 * error. The list moves to its place.
 */
async function orderPresentation(zip: JSZip): Promise<void> {
  const pres = zip.file('ppt/presentation.xml')
  if (!pres) return
  const xml = await pres.async('string')
  const notes = /<p:notesMasterIdLst>.*?<\/p:notesMasterIdLst>/s.exec(xml)?.[0]
  const end = '</p:sldMasterIdLst>'
  if (!notes || !xml.includes(end)) return
  zip.file('ppt/presentation.xml', xml.replace(notes, '').replace(end, `${end}${notes}`))
}

/** pptxgenjs writes no keywords; `cp:keywords` goes after the creator in docProps/core.xml. */
async function addKeywords(zip: JSZip, keywords: string[]): Promise<void> {
  const core = zip.file('docProps/core.xml')
  if (!core) return
  const escaped = keywords.join('; ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  const xml = (await core.async('string')).replace(/(<\/dc:creator>)/, (end) => `${end}<cp:keywords>${escaped}</cp:keywords>`)
  zip.file('docProps/core.xml', xml)
}

/**
 * Write the package: the real slide pictures in place of the placeholders (a slide without one
 * keeps the 1x1 placeholder), every entry with the fixed date.
 */
export async function finishPptx(
  { parts, media, date }: PptxSkeleton,
  pictureOf: (slide: number) => Promise<Uint8Array | undefined>,
): Promise<Uint8Array> {
  const filled = await Promise.all(
    parts.map(async (part) => {
      const slide = media.get(part.name)
      const picture = slide === undefined ? undefined : await pictureOf(slide)
      return picture ? zipPart(part.name, picture, false) : part
    }),
  )
  return writeZip(filled, date)
}
