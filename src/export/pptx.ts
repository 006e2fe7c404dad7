import JSZip from 'jszip'
import pptxgenjs from 'pptxgenjs'
import type { RenderedDeck } from '../render.js'

/**
 * PowerPoint: one slide per slide at the deck's size, the slide image (2x) as a full-bleed
 * picture, speaker notes in the notes pane, the title in the document properties. Editable text
 * boxes will be layered over the picture from the same page the images come from.
 */
export interface PptxOptions {
  /** Fixed date for docProps and zip entries, so the same deck gives the same bytes. */
  date: Date
}

const PX_PER_INCH = 96

// pptxgenjs ships ESM code with CommonJS-style types: at run time the default import is the
// class, but TypeScript (NodeNext) sees the module object.
const PptxGenJS = pptxgenjs as unknown as typeof pptxgenjs.default

export async function buildPptx(deck: RenderedDeck, images: Map<number, Uint8Array>, opts: PptxOptions): Promise<Uint8Array> {
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

  for (let i = 0; i < deck.slideCount; i += 1) {
    const slide = pptx.addSlide()
    const png = images.get(i)
    if (png) {
      slide.addImage({ data: `image/png;base64,${Buffer.from(png).toString('base64')}`, x: 0, y: 0, w: width, h: height })
    }
    const note = deck.notes[i]
    if (note) slide.addNotes(note)
  }
  // PNGs do not shrink when deflated again; storing them keeps packing fast.
  const raw = (await pptx.write({ outputType: 'uint8array', compression: false })) as Uint8Array
  return normaliseZip(raw, opts.date)
}

/**
 * pptxgenjs stamps the current time into docProps/core.xml and every zip entry. Rewrite both
 * with a fixed date; XML parts are deflated, media stored.
 */
async function normaliseZip(raw: Uint8Array, date: Date): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(raw)
  const iso = date.toISOString().replace(/\.\d{3}Z$/, 'Z')
  const core = zip.file('docProps/core.xml')
  if (core) {
    const xml = (await core.async('string')).replace(
      /(<dcterms:(?:created|modified)[^>]*>)[^<]*(<\/dcterms:(?:created|modified)>)/g,
      `$1${iso}$2`,
    )
    zip.file('docProps/core.xml', xml)
  }
  const out = new JSZip()
  const names = Object.keys(zip.files).sort((a, b) => (a === '[Content_Types].xml' ? -1 : b === '[Content_Types].xml' ? 1 : 0))
  for (const name of names) {
    const entry = zip.files[name]!
    if (entry.dir) continue
    const media = name.startsWith('ppt/media/')
    out.file(name, await entry.async('uint8array'), {
      date,
      compression: media ? 'STORE' : 'DEFLATE',
      createFolders: false,
    })
  }
  return out.generateAsync({ type: 'uint8array', platform: 'UNIX' })
}
