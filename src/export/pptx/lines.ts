import type { Paragraph, Run } from './model.js'
import type { StyleTools } from './page-style.js'

/*
 * Runs in the print page (puppeteer serialises it, so it uses nothing from outside its body):
 * the text tools the walk (walk.ts) uses. `paragraph()` reads a block's inline content as runs,
 * split into lines exactly where Chromium broke them: each text node is measured with a Range
 * (Range.getClientRects); a node on one line is one piece, a node over several is measured word
 * by word (a word broken inside, letter by letter), and each piece goes to the line its middle
 * falls in.
 */

/** An inline picture met in a paragraph (an emoji, inline math): the walk shoots it. */
export interface InlinePicture {
  el: Element
  rect: DOMRect
}

export interface ParagraphResult {
  paragraph: Paragraph
  pictures: InlinePicture[]
  /** Inline boxes with a background or border (inline code): the walk draws them behind the text. */
  boxes: Element[]
  /** The content box of the block, relative to the slide. */
  left: number
  width: number
}

export type TextTools = ReturnType<typeof textTools>
/** textTools with the style tools bound (extract.ts binds them in the page). */
export type MakeTextTools = (originX: number, originY: number, slideHeight: number, isPicture: (el: Element) => boolean) => TextTools

export function textTools(originX: number, originY: number, slideHeight: number, isPicture: (el: Element) => boolean, styles: StyleTools) {
  const { ctx, colour, firstFamily, transform, nbspWidth, spacer } = styles
  const scales = new Map<Element, number>()
  /**
   * Marp's auto-scaling (fitted headings, shrunk code and math; marp-core 5.0.2,
   * src/custom-elements/browser/marp-auto-scaling.ts): the host's text is drawn in an SVG of its
   * shadow tree whose viewBox is the text's natural size. The SVG, when `el` is such a host.
   */
  const autoScaled = (el: Element): SVGSVGElement | undefined => {
    if (!el.hasAttribute('data-auto-scaling') || !el.shadowRoot) return undefined
    return el.shadowRoot.querySelector('marp-auto-scaling')?.shadowRoot?.querySelector('svg') ?? undefined
  }
  /**
   * The drawn scale of an auto-scaling SVG: its viewBox fitted into its box, aspect kept
   * (preserveAspectRatio "meet"), so the smaller of the two ratios. Shrunk code is often limited
   * by its height, and then the width ratio is far too big.
   */
  const svgScale = (svg: SVGSVGElement): number => {
    const r = svg.getBoundingClientRect()
    const vb = svg.viewBox.baseVal
    const sx = vb?.width ? r.width / vb.width : 1
    const sy = vb?.height ? r.height / vb.height : sx
    return Math.min(sx, sy)
  }
  /** Slide px per CSS px of an element: fitted headings and shrunk code are scaled by an SVG. */
  const scaleOf = (el: Element): number => {
    let s = scales.get(el)
    if (s !== undefined) return s
    // Inside an auto-scaled host, the SVG's scale, the same for every run of it (the ratio of a
    // small span's drawn width to its rounded offsetWidth is not exact).
    let host: Element | null = el
    while (host && host.localName !== 'section' && !autoScaled(host)) host = host.parentElement
    const svg = host && autoScaled(host)
    // Else the nearest box laid out in one piece; its drawn width over its laid-out width.
    let block: Element | null = el
    while (block && !(block instanceof HTMLElement && block.offsetWidth > 0 && block.getClientRects().length === 1)) {
      block = block.parentElement
    }
    s = svg ? svgScale(svg) : block instanceof HTMLElement ? block.getBoundingClientRect().width / block.offsetWidth : 1
    if (!Number.isFinite(s) || s <= 0) s = 1
    scales.set(el, s)
    return s
  }
  const isInline = (el: Element): boolean => {
    const d = getComputedStyle(el).display
    return (
      d.startsWith('inline') || d === 'contents' || el.hasAttribute('data-marp-fitting-svg-content') || el.localName === 'foreignobject'
    )
  }
  const fitting = (el: Element): boolean => el.localName === 'svg' && el.hasAttribute('data-marp-fitting')
  /** Inline content that belongs to the block's own paragraph (not a nested block). */
  const inlineChild = (el: Element): boolean => fitting(el) || isInline(el) || el.localName === 'br'
  const hasInlineContent = (block: Element): boolean => {
    for (const node of block.childNodes) {
      if (node.nodeType === Node.TEXT_NODE && node.textContent!.trim()) return true
      if (node instanceof Element && inlineChild(node) && getComputedStyle(node).display !== 'none') return true
    }
    return false
  }
  const runStyle = (el: Element, block: Element): Omit<Run, 'text'> & { transform: string } => {
    const s = getComputedStyle(el)
    const scale = scaleOf(el)
    const run: Omit<Run, 'text'> & { transform: string } = {
      font: firstFamily(s.fontFamily),
      size: Math.round(parseFloat(s.fontSize) * scale * 100) / 100,
      colour: colour(s.color),
      transform: s.textTransform,
    }
    const families = s.fontFamily.toLowerCase()
    if (/\bmonospace\b/.test(families) || el.closest('pre, marp-pre, code, kbd, samp')) run.generic = 'monospace'
    else if (/\bserif\b/.test(families.replace(/sans-serif/g, ''))) run.generic = 'serif'
    if (parseInt(s.fontWeight, 10) >= 600) run.bold = true
    if (s.fontStyle !== 'normal') run.italic = true
    for (let a: Element | null = el; a && a !== block.parentElement; a = a.parentElement) {
      const line = getComputedStyle(a).textDecorationLine
      if (line.includes('underline')) run.underline = true
      if (line.includes('line-through')) run.strike = true
    }
    const link = el.closest('a[href]')
    if (link && block.contains(link)) run.href = (link as HTMLAnchorElement).href
    const spacing = parseFloat(s.letterSpacing)
    if (spacing) run.spacing = spacing * scale
    return run
  }
  const range = document.createRange()
  const rectsOf = (node: Text, start: number, end: number): DOMRect[] => {
    range.setStart(node, start)
    range.setEnd(node, end)
    return [...range.getClientRects()].filter((r) => r.width > 0 || r.height > 0)
  }

  interface Piece {
    text: string
    style: Omit<Run, 'text'> & { transform: string }
    top: number
    bottom: number
    /** Left and right edges, px from the slide's left. */
    left: number
    right: number
    /** A forced break (br, or a newline in preformatted text) comes before this piece. */
    breakBefore?: boolean
    /** Room before the piece that no text fills (an inline box's padding, an inline picture), in px. */
    gap?: number
    /** Such room after the piece, at the end of its line. */
    trail?: number
    pre: boolean
  }

  /** The block's own inline content (nested blocks are left to the walk) as one paragraph. */
  const paragraph = (outer: Element): ParagraphResult => {
    const pieces: Piece[] = []
    const pictures: InlinePicture[] = []
    const boxes: Element[] = []
    // A block whose whole content is one inline-block (shiki's `<code>` in a `<pre>`) has that
    // box's lines: its padding indents every line, not only the first, so it is read as the block.
    const block = soleInlineBlock(outer)
    if (block !== outer) {
      const bs = getComputedStyle(block)
      if (colour(bs.backgroundColor).alpha > 0 || parseFloat(bs.borderTopWidth) > 0) boxes.push(block)
    }
    let forceBreak = false
    /** Where room with no text starts and ends (x; the middle of its line), for the next piece's gap. */
    let room: { x: number; end?: number; mid: number } | undefined
    /** Room not followed by text on its line: trails the line's last piece. */
    const trail = () => {
      const last = pieces.at(-1)
      if (room?.end !== undefined && last && room.mid > last.top && room.mid < last.bottom) {
        const width = room.end - last.right
        if (width >= 0.5) last.trail = width
      }
      room = undefined
    }
    const add = (text: string, style: Piece['style'], rect: DOMRect, pre: boolean) => {
      const piece: Piece = {
        text,
        style,
        top: rect.top - originY,
        bottom: rect.bottom - originY,
        left: rect.left - originX,
        right: rect.right - originX,
        pre,
        ...(forceBreak ? { breakBefore: true } : {}),
      }
      const onLine = (mid: number) => mid > piece.top && mid < piece.bottom
      const last = pieces.at(-1)
      if (room && onLine(room.mid)) {
        // From the text before on the line (the room lies between), else from where the room starts.
        const from = last && !forceBreak && onLine((last.top + last.bottom) / 2) ? last.right : room.x
        if (piece.left - from >= 0.5) piece.gap = piece.left - from
        room = undefined
      } else trail()
      pieces.push(piece)
      forceBreak = false
    }
    const roomFrom = (rect: DOMRect | undefined, x: number, end?: number) => {
      if (rect) room = { x: x - originX, ...(end === undefined ? {} : { end: end - originX }), mid: (rect.top + rect.bottom) / 2 - originY }
    }
    const textNode = (node: Text) => {
      const parent = node.parentElement!
      if (getComputedStyle(parent).visibility !== 'visible') return
      const ws = getComputedStyle(parent).whiteSpace
      const pre = ws.startsWith('pre') || ws === 'break-spaces'
      const style = runStyle(parent, block)
      const data = node.data
      const segments: Array<[number, number]> = []
      if (pre) {
        let at = 0
        for (const part of data.split('\n')) {
          segments.push([at, at + part.length])
          at += part.length + 1
        }
      } else segments.push([0, data.length])
      segments.forEach(([start, end], i) => {
        if (i > 0) forceBreak = true
        if (end <= start) return
        const rects = rectsOf(node, start, end)
        if (rects.length === 0) return
        if (rects.length === 1) return add(data.slice(start, end), style, rects[0]!, pre)
        // Broken over lines: word by word, each with the spaces before it.
        const words = /\s*\S+/g
        words.lastIndex = start
        for (let m = words.exec(data); m && m.index < end; m = words.exec(data)) {
          const wEnd = Math.min(end, m.index + m[0].length)
          const wr = rectsOf(node, m.index, wEnd)
          if (wr.length <= 1) {
            if (wr[0]) add(data.slice(m.index, wEnd), style, wr[0], pre)
            continue
          }
          for (let c = m.index; c < wEnd; c += 1) {
            const cr = rectsOf(node, c, c + 1)[0]
            if (cr) add(data[c]!, style, cr, pre)
          }
        }
      })
    }
    const visit = (el: Element) => {
      for (const node of el.childNodes) {
        if (node.nodeType === Node.TEXT_NODE) textNode(node as Text)
        if (!(node instanceof Element)) continue
        if (node.localName === 'br') {
          forceBreak = true
          continue
        }
        if (getComputedStyle(node).display === 'none' || !inlineChild(node)) continue
        if (isPicture(node)) {
          const rect = node.getBoundingClientRect()
          if (rect.width <= 0 || rect.height <= 0) continue
          pictures.push({ el: node, rect })
          // The picture's room in the line: a spacer before the text after it.
          roomFrom(rect, rect.left, rect.right)
          continue
        }
        const ns = getComputedStyle(node)
        if (colour(ns.backgroundColor).alpha > 0 || parseFloat(ns.borderTopWidth) > 0) boxes.push(node)
        // An inline box's own padding, border and margin (inline code) take room in the line that
        // runs cannot have: a spacer before its text and one before the text after it.
        const rects = node.getClientRects()
        const first = rects[0]
        const lastRect = rects[rects.length - 1]
        if (first) roomFrom(first, first.left - (parseFloat(ns.marginLeft) || 0) * scaleOf(node))
        visit(node)
        if (lastRect) roomFrom(lastRect, lastRect.right, lastRect.right + (parseFloat(ns.marginRight) || 0) * scaleOf(node))
      }
    }
    visit(block)
    trail()

    const s = getComputedStyle(block)
    const scale = scaleOf(block)
    const box = block.getBoundingClientRect()
    const padLeft = (parseFloat(s.paddingLeft) + parseFloat(s.borderLeftWidth)) * scale
    const padRight = (parseFloat(s.paddingRight) + parseFloat(s.borderRightWidth)) * scale
    const left = box.left - originX + padLeft
    const width = Math.max(0, box.width - padLeft - padRight)
    // The line height of the text itself: code that Marp shrank is scaled inside its block.
    const first = firstText(block)
    const lineStyle = first ? getComputedStyle(first) : s
    const sized = parseFloat(lineStyle.lineHeight)
    const textScale = first ? scaleOf(first) : scale
    const maxHeight = Math.max(0, ...pieces.map((p) => p.bottom - p.top))
    const lineHeight = Number.isFinite(sized) ? sized * textScale : maxHeight || parseFloat(lineStyle.fontSize) * textScale * 1.2
    const lines: Array<{ pieces: Piece[]; top: number; bottom: number }> = []
    for (const p of pieces) {
      const last = lines.at(-1)
      const mid = (p.top + p.bottom) / 2
      if (!last || p.breakBefore || mid > last.bottom) lines.push({ pieces: [p], top: p.top, bottom: p.bottom })
      else {
        last.pieces.push(p)
        last.top = Math.min(last.top, p.top)
        last.bottom = Math.max(last.bottom, p.bottom)
      }
    }
    // Lines past the slide's bottom edge are cut off in the PDF: they are left out here too.
    const shown = lines.filter((l) => l.top < slideHeight)
    const out: Run[][] = []
    let top = 0
    // The block's own style: a spacer may take it when its neighbours' spaces are too wide.
    const base = runStyle(block, block)
    shown.forEach((line, i) => {
      const centre = (line.top + line.bottom) / 2
      if (i === 0) top = centre - lineHeight / 2
      else {
        // Empty lines (blank lines of code) have nothing to measure: counted from the gap.
        const before = (shown[i - 1]!.top + shown[i - 1]!.bottom) / 2
        const skipped = Math.round((centre - before) / lineHeight) - 1
        for (let k = 0; k < skipped && k < 200; k += 1) out.push([])
      }
      const runs: Run[] = []
      for (const p of line.pieces) {
        let text = p.pre ? p.text : p.text.replace(/[ \t\n\r\f]+/g, ' ')
        const before = runs.at(-1)
        const gap = p.gap && spacer(p.gap, before ? [before, p.style, base] : [p.style, base])
        if (gap) runs.push(gap)
        const prev = runs.at(-1)
        if (!p.pre && (!prev || prev.text.endsWith(' ')) && text.startsWith(' ')) text = text.slice(1)
        if (!text) continue
        text = transform(text, p.style.transform)
        const { transform: _t, ...style } = p.style
        if (prev && !gap && sameStyle(prev, style)) prev.text += text
        else runs.push({ ...style, text })
      }
      const last = runs.at(-1)
      if (last && !line.pieces.at(-1)!.pre) last.text = last.text.replace(/ +$/, '')
      out.push(runs.filter((r) => r.text))
    })
    const align = s.textAlign === 'center' || s.textAlign === 'right' || s.textAlign === 'justify' ? s.textAlign : 'left'
    // Room at the end of a centred or right-aligned line (an inline code's right padding) moves
    // the line left in the browser: the box ends that much sooner. (Not as a spacer run: a run
    // after the text makes LibreOffice 7.4 draw the paragraph's hyperlinks in the text colour.)
    const trails = shown.map((l) => l.pieces.at(-1)?.trail ?? 0)
    const trailing = trails.every((t) => t === trails[0]) ? (trails[0] ?? 0) : 0
    const boxWidth = align === 'center' || align === 'right' ? Math.max(0, width - trailing) : width
    return {
      paragraph: {
        lines: out,
        top,
        left: 0,
        lineHeight,
        glyph: glyphOf(shown[0]?.pieces) ?? lineHeight,
        align: align === 'justify' ? 'left' : align,
      },
      pictures,
      boxes,
      left,
      width: boxWidth,
    }
  }
  /** The glyph box height of a line's main text (its longest piece: inline code or a link may be taller). */
  const glyphOf = (pieces: Piece[] | undefined): number | undefined => {
    const main = pieces?.reduce((a, b) => (b.text.trim().length > a.text.trim().length ? b : a))
    return main ? main.bottom - main.top : undefined
  }
  const sameStyle = (a: Omit<Run, 'text'>, b: Omit<Run, 'text'>): boolean =>
    a.font === b.font &&
    a.size === b.size &&
    a.colour.hex === b.colour.hex &&
    a.colour.alpha === b.colour.alpha &&
    !!a.bold === !!b.bold &&
    !!a.italic === !!b.italic &&
    !!a.underline === !!b.underline &&
    !!a.strike === !!b.strike &&
    a.href === b.href &&
    a.spacing === b.spacing

  /** The only content of a block when that is one inline-block element (no text beside it), else the block. */
  const soleInlineBlock = (block: Element): Element => {
    let only: Element | undefined
    for (const node of block.childNodes) {
      if (node.nodeType === Node.TEXT_NODE && node.textContent!.trim()) return block
      if (!(node instanceof Element) || getComputedStyle(node).display === 'none') continue
      if (only) return block
      only = node
    }
    return only && getComputedStyle(only).display === 'inline-block' && !isPicture(only) ? only : block
  }
  /** The element holding the block's first non-blank text. */
  const firstText = (block: Element): Element | undefined => {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.textContent!.trim()) return n.parentElement ?? undefined
    return undefined
  }

  /** Width of a list marker and the space after it, in the item's font. */
  const markerWidth = (li: Element, marker: string): number => {
    const s = getComputedStyle(li)
    ctx.font = `${s.fontStyle} ${s.fontWeight} ${parseFloat(s.fontSize) * scaleOf(li)}px ${s.fontFamily}`
    return ctx.measureText(`${marker} `).width
  }

  // The CSS effect readers go to the walk as they are.
  const effects = { shadow: styles.shadow, flattens: styles.flattens, spill: styles.spill }
  return { colour, scaleOf, paragraph, hasInlineContent, inlineChild, runStyle, firstFamily, nbspWidth, markerWidth, ...effects }
}
