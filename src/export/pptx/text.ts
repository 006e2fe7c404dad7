import type { Paragraph, Run, TextItem } from './model.js'
import { colourOptions, inches, points, shadowOptions, type TextProps, type TextPropsOptions, type Slide } from './units.js'

/*
 * Text items as text boxes: a paragraph per block (per list item), a soft line break wherever
 * the browser broke a line, each run with its font, size, colour, weight, style, decoration,
 * link and generic family (for substitution). The box neither wraps nor autofits, and has no inner margin,
 * so PowerPoint keeps the browser's lines where the browser put them.
 */

export function runOptions(run: Run): TextPropsOptions {
  const { color, transparency } = colourOptions(run.colour)
  return {
    fontFace: run.font,
    fontSize: points(run.size),
    color,
    ...(transparency ? { transparency } : {}),
    ...(run.bold ? { bold: true } : {}),
    ...(run.italic ? { italic: true } : {}),
    // A link's underline comes from its CSS, not from PowerPoint's default for links.
    ...(run.underline ? { underline: { style: 'sng' } } : run.href ? { underline: { style: 'none' } } : {}),
    ...(run.strike ? { strike: 'sngStrike' } : {}),
    ...(run.href ? { hyperlink: { url: run.href } } : {}),
    ...(run.spacing ? { charSpacing: points(run.spacing) } : {}),
  }
}

/** Paragraph options go on a paragraph's first run (pptxgenjs reads them there). */
function paragraphOptions(p: Paragraph, before: number): TextPropsOptions {
  const out: TextPropsOptions = { align: p.align, lineSpacing: points(p.lineHeight) }
  if (before > 0) out.paraSpaceBefore = points(before)
  if (p.bullet) {
    const level = p.level ?? 0
    // pptxgenjs puts the text at indent × (level + 1) and the bullet one indent before it.
    const indent = points(Math.max(1, p.left / (level + 1)))
    out.bullet =
      p.bullet.kind === 'number'
        ? { type: 'number', style: p.bullet.style, numberStartAt: p.bullet.start, indent }
        : { characterCode: p.bullet.char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0').slice(-4), indent }
    if (level > 0) out.indentLevel = level
  }
  return out
}

/** The runs of a text body: soft breaks between lines, a paragraph break after each paragraph. */
export function textRuns(paragraphs: readonly Paragraph[]): TextProps[] {
  const out: TextProps[] = []
  paragraphs.forEach((p, k) => {
    const prev = paragraphs[k - 1]
    const before = prev ? p.top - (prev.top + prev.lines.length * prev.lineHeight) : 0
    const lines = p.lines.length ? p.lines : [[]]
    lines.forEach((line, i) => {
      const runs: Run[] = line.length ? line : [{ ...(p.lines.flat()[0] ?? blank(p)), text: ' ' }]
      runs.forEach((run, j) => {
        const options: TextPropsOptions = runOptions(run)
        if (i === 0 && j === 0) Object.assign(options, paragraphOptions(p, before))
        if (i > 0 && j === 0) options.softBreakBefore = true
        out.push({ text: run.text, options })
      })
    })
    if (k < paragraphs.length - 1) out.at(-1)!.options!.breakLine = true
  })
  return out
}

const blank = (p: Paragraph): Run => ({ text: ' ', font: 'Arial', size: p.lineHeight / 1.2, colour: { hex: '000000', alpha: 0 } })

/**
 * Where a text item goes so that its glyphs sit where the browser drew them. The browser splits
 * a line's leading above and below the glyphs; with exact line spacing, LibreOffice (like Word
 * with "exactly") puts it above them, and its ascent runs a little taller (see TALLER_ASCENT):
 * each paragraph moves up by that much.
 */
export const seatShift = (p: Paragraph): number => {
  const runs = p.lines.flat()
  const size = Math.max(0, ...runs.map((r) => r.size))
  return Math.max(0, (p.lineHeight - (p.glyph ?? p.lineHeight)) / 2) + size * (TALLER_ASCENT[runs[0]?.font ?? ''] ?? TALLER_ASCENT_OTHERS)
}

/**
 * How much taller LibreOffice's ascent runs than Chromium's, in em, measured on the fixture decks
 * (docs/PPTX.md): Inter as embedded here, and the Liberation faces that stand in for Arial.
 */
const TALLER_ASCENT: Record<string, number> = { Inter: 0.04 }
const TALLER_ASCENT_OTHERS = 0.01

export function seated(item: TextItem): TextItem {
  const shift = seatShift
  const paragraphs = item.paragraphs.map((p) => ({ ...p, top: p.top - shift(p) }))
  const top = Math.min(...paragraphs.map((p) => p.top))
  for (const p of paragraphs) p.top -= top
  return { ...item, box: { ...item.box, y: item.box.y + top }, paragraphs }
}

export function addText(slide: Slide, item: TextItem): void {
  const { box } = item
  slide.addText(textRuns(item.paragraphs), {
    x: inches(box.x),
    y: inches(box.y),
    w: inches(Math.max(box.w, 1)),
    h: inches(Math.max(box.h, 1)),
    margin: 0,
    fit: 'none',
    wrap: false,
    valign: 'top',
    ...(item.title ? { placeholder: 'title' } : {}),
    // On a box with no fill, PowerPoint draws the shape's shadow under its text.
    ...(item.shadow ? { shadow: shadowOptions(item.shadow) } : {}),
    objectName: item.title ? 'Title' : item.code ? 'Code' : 'Text',
  })
}
