import type { PDFDocument, PDFRef } from 'pdf-lib'
import type { Page } from 'puppeteer-core'
import { pageStep } from '../browser/step.js'
import type { RenderedDeck } from '../render/render.js'

/*
 * PDF: Chromium prints the loaded print page (one page per slide, selectable text, embedded
 * fonts); pdf-lib then adds what Chromium cannot: the document title as plain text, author,
 * one bookmark per slide, speaker notes as annotations, and fixed dates so the same deck gives
 * the same bytes.
 */

export interface PdfOptions {
  /** Speaker notes as PDF text annotations, one per slide that has notes. */
  notes: boolean
  /** Creation and modification date written into the PDF (fixed for reproducible output). */
  date: Date
}

/** Print the loaded print page; the deadline grows with the deck (see stepTimeout). */
export function printPdf(page: Page, deck: RenderedDeck): Promise<Uint8Array> {
  return pageStep(page, { stage: 'printing the PDF', deck: deck.file, slides: deck.slideCount }, () =>
    page.pdf({
      width: `${deck.size.width}px`,
      height: `${deck.size.height}px`,
      printBackground: true,
      preferCSSPageSize: true,
      // The step's deadline bounds the print; puppeteer's own would end it sooner on a big deck.
      timeout: 0,
    }),
  )
}

/** Bookmark text for each slide: its first heading, else "Slide N". */
export function slideTitles(deck: RenderedDeck): string[] {
  return Array.from({ length: deck.slideCount }, (_, i) => {
    const heading = deck.facts.headings.find((h) => h.slide === i + 1 && h.text)
    return heading ? heading.text : `Slide ${i + 1}`
  })
}

// pdf-lib is slow to import: loaded on first use, or ahead while a render worker renders
// (see Builder.prepareExports), never at start-up.
type PdfLib = typeof import('pdf-lib')
let pdfLib: Promise<PdfLib> | undefined
export const loadPdfLib = (): Promise<PdfLib> => (pdfLib ??= import('pdf-lib'))

function addOutlines({ PDFHexString, PDFName, PDFNumber }: PdfLib, doc: PDFDocument, titles: string[]): void {
  const pages = doc.getPages()
  const count = Math.min(pages.length, titles.length)
  if (count === 0) return
  const { context } = doc
  const rootRef = context.nextRef()
  const refs: PDFRef[] = Array.from({ length: count }, () => context.nextRef())
  for (let i = 0; i < count; i += 1) {
    const dest = context.obj([pages[i]!.ref, PDFName.of('Fit')])
    const item: Record<string, unknown> = {
      Title: PDFHexString.fromText(titles[i]!),
      Parent: rootRef,
      Dest: dest,
    }
    if (i > 0) item['Prev'] = refs[i - 1]
    if (i < count - 1) item['Next'] = refs[i + 1]
    context.assign(refs[i]!, context.obj(item as Parameters<typeof context.obj>[0]))
  }
  context.assign(
    rootRef,
    context.obj({ Type: 'Outlines', First: refs[0]!, Last: refs[count - 1]!, Count: PDFNumber.of(count) }),
  )
  doc.catalog.set(PDFName.of('Outlines'), rootRef)
  doc.catalog.set(PDFName.of('PageMode'), PDFName.of('UseOutlines'))
}

function addNotes({ PDFArray, PDFHexString, PDFName }: PdfLib, doc: PDFDocument, notes: string[]): void {
  const { context } = doc
  doc.getPages().forEach((page, i) => {
    const text = notes[i]
    if (!text) return
    const annot = context.register(
      context.obj({
        Type: 'Annot',
        Subtype: 'Text',
        Rect: [0, 0, 24, 24],
        Contents: PDFHexString.fromText(text),
        Name: 'Comment',
        Open: false,
        F: 4,
      }),
    )
    const existing = page.node.lookup(PDFName.of('Annots'))
    if (existing instanceof PDFArray) existing.push(annot)
    else page.node.set(PDFName.of('Annots'), context.obj([annot]))
  })
}

export async function finishPdf(raw: Uint8Array, deck: RenderedDeck, opts: PdfOptions): Promise<Uint8Array> {
  const lib = await loadPdfLib()
  const doc = await lib.PDFDocument.load(raw, { updateMetadata: false })
  doc.setTitle(deck.title, { showInWindowTitleBar: true })
  if (deck.author) doc.setAuthor(deck.author)
  if (deck.description) doc.setSubject(deck.description)
  doc.setCreator('marp-deck-pipeline')
  doc.setProducer('marp-deck-pipeline (Chromium, pdf-lib)')
  doc.setCreationDate(opts.date)
  doc.setModificationDate(opts.date)
  if (deck.lang) doc.setLanguage(deck.lang)
  addOutlines(lib, doc, slideTitles(deck))
  if (opts.notes) addNotes(lib, doc, deck.notes)
  // Chromium writes a random document ID; derive nothing from the clock or chance.
  delete doc.context.trailerInfo.ID
  return doc.save({ useObjectStreams: true })
}

