import type { RenderedDeck } from '../../render/render.js'
import { addOutlines, describeDocument, loadPdfLib } from '../pdf.js'

/*
 * What pdf-lib adds to the printed handout, as to the PDF: the deck's title and metadata, fixed
 * dates and no document ID (the same deck gives the same bytes), and one bookmark per slide,
 * each opening the handout page that shows the slide.
 */

export interface HandoutFinish {
  date: Date
  /** Slides a page. */
  perPage: number
  /** Each slide's bookmark text (see slideTitles). */
  titles: string[]
}

export async function finishHandout(raw: Uint8Array, deck: RenderedDeck, opts: HandoutFinish): Promise<Uint8Array> {
  const lib = await loadPdfLib()
  const doc = await lib.PDFDocument.load(raw, { updateMetadata: false })
  describeDocument(doc, deck, opts.date)
  addOutlines(
    lib,
    doc,
    opts.titles.map((title, i) => ({ title: `${i + 1}. ${title}`, page: Math.floor(i / opts.perPage), children: [] })),
  )
  delete doc.context.trailerInfo.ID
  return doc.save({ useObjectStreams: true })
}
