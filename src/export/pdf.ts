import type { PDFDocument, PDFRef } from 'pdf-lib'
import type { Page } from 'puppeteer-core'
import { pageStep } from '../browser/step.js'
import type { RenderedDeck } from '../render/render.js'
import type { PdfOutlines } from '../config/schema.js'

/*
 * PDF: Chromium prints the loaded print page (one page per slide, selectable text, embedded
 * fonts); pdf-lib then adds what Chromium cannot: the document title as plain text, author,
 * subject and keywords, bookmarks (one per slide, and the headings if asked), speaker notes as
 * annotations, and fixed dates so the same deck gives the same bytes.
 */

export interface PdfOptions {
  /** Speaker notes as PDF text annotations, one per slide that has notes. */
  notes: boolean
  /** Creation and modification date written into the PDF (fixed for reproducible output). */
  date: Date
  /** Bookmarks: one per slide (`pages`), the headings (`headings`). Default: pages only. */
  outlines?: PdfOutlines
}

export type { PdfOutlines } from '../config/schema.js'

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

/** A bookmark: its text, the 0-based page it opens, and the bookmarks under it. */
export interface OutlineItem {
  title: string
  page: number
  children: OutlineItem[]
}

/**
 * The bookmark tree. With `pages`, one bookmark per slide (titled as slideTitles) holds the
 * slide's other headings; without, the deck's headings make the tree. Headings nest by level:
 * each goes under the nearest heading before it of a higher level.
 */
export function outlineTree(deck: RenderedDeck, opts: PdfOutlines): OutlineItem[] {
  const top: OutlineItem[] = []
  // The open branches, innermost first: where a heading of a deeper level goes.
  let branches: Array<{ children: OutlineItem[]; level: number }> = [{ children: top, level: -Infinity }]
  const titles = slideTitles(deck)
  for (let i = 0; i < deck.slideCount; i += 1) {
    const headings = deck.facts.headings.filter((h) => h.slide === i + 1 && h.text)
    if (opts.pages) {
      const page: OutlineItem = { title: titles[i]!, page: i, children: [] }
      top.push(page)
      branches = [{ children: page.children, level: -Infinity }]
      // The slide's first heading is its bookmark's title already.
      headings.shift()
    }
    if (!opts.headings) continue
    for (const h of headings) {
      while (branches.length > 1 && branches[0]!.level >= h.level) branches.shift()
      const item: OutlineItem = { title: h.text, page: i, children: [] }
      branches[0]!.children.push(item)
      branches.unshift({ children: item.children, level: h.level })
    }
  }
  return top
}

/** Bookmarks and their descendants, every one open. */
const countAll = (items: OutlineItem[]): number => items.reduce((n, item) => n + 1 + countAll(item.children), 0)

export function addOutlines({ PDFHexString, PDFName, PDFNumber }: PdfLib, doc: PDFDocument, tree: OutlineItem[]): void {
  const pages = doc.getPages()
  const inRange = (items: OutlineItem[]): OutlineItem[] =>
    items.filter((item) => item.page < pages.length).map((item) => ({ ...item, children: inRange(item.children) }))
  const top = inRange(tree)
  if (top.length === 0) return
  const { context } = doc
  const rootRef = context.nextRef()
  // References in document order: the parent before its children, siblings in turn.
  const refs = new Map<OutlineItem, PDFRef>()
  const number = (items: OutlineItem[]): void =>
    items.forEach((item) => {
      refs.set(item, context.nextRef())
      number(item.children)
    })
  number(top)
  const write = (items: OutlineItem[], parent: PDFRef): void =>
    items.forEach((item, i) => {
      const dict: Record<string, unknown> = {
        Title: PDFHexString.fromText(item.title),
        Parent: parent,
        Dest: context.obj([pages[item.page]!.ref, PDFName.of('Fit')]),
      }
      if (i > 0) dict['Prev'] = refs.get(items[i - 1]!)
      if (i < items.length - 1) dict['Next'] = refs.get(items[i + 1]!)
      if (item.children.length) {
        dict['First'] = refs.get(item.children[0]!)
        dict['Last'] = refs.get(item.children[item.children.length - 1]!)
        dict['Count'] = PDFNumber.of(countAll(item.children))
      }
      context.assign(refs.get(item)!, context.obj(dict as Parameters<typeof context.obj>[0]))
      write(item.children, refs.get(item)!)
    })
  write(top, rootRef)
  context.assign(
    rootRef,
    context.obj({ Type: 'Outlines', First: refs.get(top[0]!)!, Last: refs.get(top[top.length - 1]!)!, Count: PDFNumber.of(countAll(top)) }),
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
  describeDocument(doc, deck, opts.date)
  addOutlines(lib, doc, outlineTree(deck, opts.outlines ?? { pages: true, headings: false }))
  if (opts.notes) addNotes(lib, doc, deck.notes)
  // Chromium writes a random document ID; derive nothing from the clock or chance.
  delete doc.context.trailerInfo.ID
  return doc.save({ useObjectStreams: true })
}

/** The deck's title, author, subject, keywords and language, and fixed dates, in a PDF of it (the PDF, the handout). */
export function describeDocument(doc: PDFDocument, deck: RenderedDeck, date: Date): void {
  doc.setTitle(deck.title, { showInWindowTitleBar: true })
  if (deck.author) doc.setAuthor(deck.author)
  if (deck.description) doc.setSubject(deck.description)
  // pdf-lib joins keywords with spaces, which splits a keyword of two words; one string keeps them.
  if (deck.keywords?.length) doc.setKeywords([deck.keywords.join('; ')])
  doc.setCreator('marp-deck-pipeline')
  doc.setProducer('marp-deck-pipeline (Chromium, pdf-lib)')
  doc.setCreationDate(date)
  doc.setModificationDate(date)
  if (deck.lang) doc.setLanguage(deck.lang)
}
