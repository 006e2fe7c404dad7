import { createHash } from 'node:crypto'
import type JSZip from 'jszip'
import type { RenderedDeck } from '../../render/render.js'
import { newPresentation, packageParts, writtenPackage } from '../pptx.js'
import { writeZip } from '../zip.js'
import type { SlideCapture } from './extract.js'
import type { Box, Paragraph, Run } from './model.js'
import { slideTitles } from '../pdf.js'
import { embedFonts, pptxTypeface, type UsedFont } from './fonts.js'
import { addPicture, addShape } from './shapes.js'
import { addTable } from './table.js'
import { addText, seated } from './text.js'

/*
 * The editable PowerPoint: one slide per slide, rebuilt from the slide model (see walk.ts) with
 * pptxgenjs: text boxes, shapes, native tables and element pictures, back to front as the
 * browser paints them. The slide's first heading goes into the title placeholder of the one
 * slide master, so PowerPoint's outline, navigation and screen readers see slide titles.
 * Speaker notes go into the notes pane; title, author, subject and keywords into the document
 * properties; the dates are fixed, so the same deck gives the same bytes.
 */

export interface EditableOptions {
  /** Fixed date for docProps and zip entries. */
  date: Date
}

const EMU_PER_PX = 914400 / 96
const MASTER = 'DECK'

export async function writeEditablePptx(deck: RenderedDeck, capture: SlideCapture, opts: EditableOptions): Promise<Uint8Array> {
  const { pptx, JSZip, width, height } = await newPresentation(deck)
  pptx.defineSlideMaster({
    title: MASTER,
    background: { color: 'FFFFFF' },
    objects: [
      {
        placeholder: { options: { name: 'title', type: 'title', x: 0, y: 0, w: width, h: height / 6, margin: 0, valign: 'top' }, text: '' },
      },
    ],
  })
  // A slide without a heading still has a title, the one its PDF bookmark has ("Slide N"), but
  // above the slide, where nothing shows it: PowerPoint's outline, navigation and screen readers
  // name every slide, and no empty placeholder says "Click to add title" over the slide while
  // it is being edited (PowerPoint's own advice for a title that should not show).
  const bookmarks = slideTitles(deck)
  const used = typefaces(capture)
  const titles = new Map<number, Box>()
  const indents = new Map<number, Indent[]>()
  capture.model.slides.forEach((model, i) => {
    const slide = pptx.addSlide({ masterName: MASTER })
    slide.background = { color: model.background.hex }
    for (const item of model.items) {
      if (item.kind === 'text') {
        const text = seated(item)
        addText(slide, text)
        if (text.title) titles.set(i, roomy(text.box, text.paragraphs[0]?.align ?? 'left', deck.size.width))
        for (const p of text.paragraphs) {
          if (p.bullet) indents.set(i, [...(indents.get(i) ?? []), { marL: p.left, indent: p.left - (p.bulletLeft ?? 0) }])
        }
      } else if (item.kind === 'shape') addShape(pptx, slide, item)
      else if (item.kind === 'picture') addPicture(slide, item, capture.pictures.get(item.id))
      else addTable(slide, item)
    }
    if (!titles.has(i)) {
      const box = offSlideTitle(deck.size.width)
      addText(slide, { kind: 'text', box, title: true, paragraphs: [offSlideParagraph(bookmarks[i]!, box)] })
      titles.set(i, box)
    }
    const note = deck.notes[i]
    if (note) slide.addNotes(note)
  })
  const zip = await writtenPackage(pptx, JSZip, deck, opts.date)
  await mendSlides(zip, { titles, indents, pitches: pitchFamilies(capture) })
  await shareMedia(zip)
  return writeZip(await embedFonts(await packageParts(zip), used), opts.date)
}

/**
 * Mend what pptxgenjs 4.0.1 writes: it can give a table the id of another shape, it gives every run after a paragraph's first a paragraph
 * properties element of its own (`<a:pPr>` in the middle of `<a:p>`, which the schema forbids
 * and which resets the bullet in LibreOffice), and it puts text aimed at a placeholder where the
 * master has the placeholder: each title goes back to where the browser laid its heading out,
 * without wrapping.
 */
async function mendSlides(zip: JSZip, { titles, indents, pitches }: Mends): Promise<void> {
  const emu = (px: number) => Math.round(px * EMU_PER_PX)
  for (const name of Object.keys(zip.files)) {
    if (/^ppt\/slideLayouts\/slideLayout\d+\.xml$/.test(name)) {
      // The layout's title placeholder, which LibreOffice reads for the slides' titles: no wrap, no inset.
      const layout = await zip.file(name)!.async('string')
      zip.file(
        name,
        layout.replace(
          '<a:bodyPr wrap="square" rtlCol="0">',
          '<a:bodyPr wrap="none" lIns="0" tIns="0" rIns="0" bIns="0" rtlCol="0" anchor="t">',
        ),
      )
      continue
    }
    const m = /^ppt\/slides\/slide(\d+)\.xml$/.exec(name)
    if (!m) continue
    let xml = (await zip.file(name)!.async('string')).replace(STRAY_PPR, (all, open: string) => (open ? all : ''))
    // Each list item's text where the browser starts it and its bullet where the marker is (pptxgenjs
    // can only indent every level by the same step): the bullet paragraphs come in the model's order.
    const queue = [...(indents.get(Number(m[1]) - 1) ?? [])]
    xml = xml.replace(BULLET_PPR, (all, attrs: string) => {
      const next = queue.shift()
      if (!next) return all
      const fixed = attrs.replace(/ marL="\d+"/, ` marL="${emu(next.marL)}"`).replace(/ indent="-?\d+"/, ` indent="${-emu(next.indent)}"`)
      return all.replace(attrs, fixed)
    })
    // A bullet in the font of its item's text (as the browser draws a marker), not the master's bullet font.
    xml = xml.replace(BULLET, (all, head: string, font: string) =>
      all.replace(head, `${head.replace('<a:buChar', `<a:buFont typeface="${font}"/><a:buChar`)}`),
    )
    // pptxgenjs numbers a table from its own count, which can repeat a shape's id: ids in document order.
    let id = 0
    xml = xml.replace(/<p:cNvPr id="\d+"/g, () => `<p:cNvPr id="${(id += 1)}"`)
    // pptxgenjs says every font is a proportional sans-serif; a substitute for a missing code font must be monospaced.
    for (const [font, pitch] of pitches)
      xml = xml.replaceAll(`typeface="${font}" pitchFamily="34"`, `typeface="${font}" pitchFamily="${pitch}"`)
    const box = titles.get(Number(m[1]) - 1)
    if (box) {
      xml = xml.replace(/<p:sp>(?:(?!<\/p:sp>)[\s\S])*?<p:ph\b[^>]*type="title"[\s\S]*?<\/p:sp>/, (sp) =>
        sp
          .replace(
            /<a:off x="-?\d+" y="-?\d+"\/>\s*<a:ext cx="\d+" cy="\d+"\/>/,
            `<a:off x="${emu(box.x)}" y="${emu(box.y)}"/><a:ext cx="${emu(Math.max(box.w, 1))}" cy="${emu(Math.max(box.h, 1))}"/>`,
          )
          .replace('<a:bodyPr wrap="square"', '<a:bodyPr wrap="none"'),
      )
    }
    zip.file(name, xml)
  }
}

/** Where a list item's text starts and how far before it its bullet is, px from the text box. */
interface Indent {
  marL: number
  indent: number
}

interface Mends {
  titles: Map<number, Box>
  indents: Map<number, Indent[]>
  pitches: Map<string, number>
}

/** A paragraph's properties that give it a bullet or a number (group 1: the attributes). */
const BULLET_PPR = /<a:pPr\b([^>]*)>(?:(?!<\/a:pPr>)[\s\S])*?<a:bu(?:Char|AutoNum)\b/g

/** A paragraph's character bullet (group 1) and the typeface of its first run (group 2). */
const BULLET = /(<a:buChar [^>]*\/><\/a:pPr>)<a:r><a:rPr[^>]*>(?:(?!<\/a:rPr>)[\s\S])*?<a:latin typeface="([^"]*)"/g

/** A paragraph's properties, with the `<a:p>` before it when they open the paragraph (and are kept). */
const STRAY_PPR = /(<a:p>)?<a:pPr\b[^>]*?(?:\/>|>[\s\S]*?<\/a:pPr>)/g

/** Every run of the model. */
function* runsOf(capture: SlideCapture): Generator<Run> {
  for (const slide of capture.model.slides) {
    for (const item of slide.items) {
      const paragraphs =
        item.kind === 'text' ? item.paragraphs : item.kind === 'table' ? item.rows.flatMap((r) => r.cells.flatMap((c) => c.paragraphs)) : []
      for (const p of paragraphs) for (const line of p.lines) yield* line
    }
  }
}

/**
 * Each run's font as PowerPoint is told it (see pptxTypeface: an embedded font, or one every
 * PowerPoint has of the same widths), and the faces used, for embedFonts.
 */
function typefaces(capture: SlideCapture): UsedFont[] {
  const faces = new Map<string, UsedFont>()
  const names = new Map<string, string>()
  for (const run of runsOf(capture)) {
    if (run.colour.alpha === 0) continue
    const face: UsedFont = { family: run.font, weight: run.bold ? 700 : 400, italic: !!run.italic }
    faces.set(`${face.family}\u0000${face.weight}\u0000${face.italic}`, face)
  }
  for (const run of runsOf(capture)) {
    let name = names.get(run.font)
    if (name === undefined) names.set(run.font, (name = pptxTypeface(run.font).typeface))
    run.font = name
  }
  return [...faces.values()]
}

/** OOXML pitch and family of the fonts that are not sans-serif: 49 fixed-pitch modern, 18 variable roman. */
function pitchFamilies(capture: SlideCapture): Map<string, number> {
  const out = new Map<string, number>()
  for (const r of runsOf(capture))
    if (r.generic && !out.has(xmlEscape(r.font))) out.set(xmlEscape(r.font), r.generic === 'monospace' ? 49 : 18)
  return out
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** Pictures with the same bytes (a theme's background on every slide) are kept once and shared. */
async function shareMedia(zip: JSZip): Promise<void> {
  const first = new Map<string, string>()
  const same = new Map<string, string>()
  for (const name of Object.keys(zip.files)
    .filter((n) => n.startsWith('ppt/media/') && !zip.files[n]!.dir)
    .sort()) {
    const hash = createHash('sha256')
      .update(await zip.file(name)!.async('uint8array'))
      .digest('hex')
    const kept = first.get(hash)
    if (kept) same.set(name.slice('ppt/'.length), kept.slice('ppt/'.length))
    else first.set(hash, name)
  }
  if (!same.size) return
  for (const name of Object.keys(zip.files).filter((n) => /^ppt\/slides\/_rels\/.*\.rels$/.test(n))) {
    const rels = await zip.file(name)!.async('string')
    const fixed = rels.replace(/Target="\.\.\/(media\/[^"]+)"/g, (all, target: string) => {
      const kept = same.get(target)
      return kept ? `Target="../${kept}"` : all
    })
    if (fixed !== rels) zip.file(name, fixed)
  }
  for (const dup of same.keys()) zip.remove(`ppt/${dup}`)
}

/** Where a slide's hidden title goes: the slide's width, just above its top edge. */
function offSlideTitle(width: number): Box {
  return { x: 0, y: -2 * OFF_SLIDE_TITLE_PX, w: width, h: OFF_SLIDE_TITLE_PX }
}
const OFF_SLIDE_TITLE_PX = 40

function offSlideParagraph(text: string, box: Box): Paragraph {
  const run: Run = { text, font: 'Arial', size: box.h * 0.6, colour: { hex: '000000', alpha: 1 } }
  return { lines: [[run]], top: 0, left: 0, lineHeight: box.h, align: 'left' }
}

/**
 * A title's box as wide as the slide lets it be, about the same edge or centre: LibreOffice wraps
 * the text of a title placeholder in its box whatever the box says, so a substitute font a little
 * wider than the browser's must not break the line.
 */
function roomy(box: Box, align: string, width: number): Box {
  if (align === 'center') {
    const centre = box.x + box.w / 2
    const half = Math.max(box.w / 2, Math.min(centre, width - centre))
    return { ...box, x: centre - half, w: half * 2 }
  }
  if (align === 'right') return { ...box, x: Math.min(box.x, 0), w: box.x + box.w - Math.min(box.x, 0) }
  return { ...box, w: Math.max(box.w, width - box.x) }
}
