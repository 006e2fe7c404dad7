import type { MakeTextTools, TextTools } from './lines.js'
import type { Border, Box, Cell, Colour, Item, PageModel, Paragraph, Shot, SlideModel, TableItem } from './model.js'

/*
 * Runs in the print page (puppeteer serialises it, so it uses nothing from outside its body; the
 * text tools of lines.ts come in as a function of the page): walks each slide's sections and
 * returns the slide model. Text becomes text items (a list is one item of paragraphs with levels), tables become
 * tables, a box's background and border become a shape, and what has no native equivalent
 * (images, SVG, math, video, canvas, CSS background images, Marp's `![bg]` figures) becomes a
 * picture: the element is marked with `attr` (its shot id) for element-shots.ts to shoot.
 */

export function walkPage(makeTools: MakeTextTools, attr: string, only: number[] | null): PageModel {
  const slides: SlideModel[] = []
  const shots: Shot[] = []
  const PICTURE_TAGS = new Set(['img', 'video', 'canvas', 'iframe', 'object', 'embed', 'svg', 'math', 'mjx-container', 'picture'])
  const isPicture = (el: Element): boolean =>
    (PICTURE_TAGS.has(el.localName) && !el.hasAttribute('data-marp-fitting') && !el.hasAttribute('data-marpit-svg')) ||
    el.classList.contains('katex')
  const svgs = [...document.querySelectorAll<SVGSVGElement>('svg[data-marpit-svg]')]
  svgs.forEach((svg, slideIndex) => {
    // A page that holds a chunk of the deck (see ChunkedWork) is read for the chunk's slides only.
    if (only && !only.includes(slideIndex)) return
    const frame = svg.getBoundingClientRect()
    const W = frame.width
    const H = frame.height
    const tools: TextTools = makeTools(frame.left, frame.top, H, isPicture)
    const sections = [...svg.querySelectorAll<HTMLElement>(':scope > foreignObject > section')]
    const items: Item[] = []
    let titled = false
    const rel = (r: DOMRect): Box => ({ x: r.left - frame.left, y: r.top - frame.top, w: r.width, h: r.height })
    const clip = (b: Box): Box | undefined => {
      const x = Math.max(0, b.x)
      const y = Math.max(0, b.y)
      const w = Math.min(W, b.x + b.w) - x
      const h = Math.min(H, b.y + b.h) - y
      return w > 0.5 && h > 0.5 ? { x, y, w, h } : undefined
    }
    const shoot = (el: Element, mode: Shot['mode'], rect = el.getBoundingClientRect(), given?: Box) => {
      const box = given ?? clip(rel(rect))
      if (!box) return
      const id = shots.length
      const src =
        el instanceof HTMLImageElement ? el.currentSrc : mode === 'background' ? getComputedStyle(el).backgroundImage.slice(0, 40) : ''
      const style = getComputedStyle(el)
      const round = parseFloat(style.borderTopLeftRadius) > 0
      // JPEG where nothing shows through: a photo, or a background painted over an opaque colour.
      const opaque = mode === 'background' && tools.colour(style.backgroundColor).alpha === 1
      // A box grown by its shadow or filter (given, in element mode) has transparent edges.
      const grown = mode === 'element' && given
      const format = (/^(url\(")?data:image\/jpe?g/.test(src) || opaque) && !round && !grown ? 'jpeg' : 'png'
      el.setAttribute(attr, `${el.getAttribute(attr) ?? ''} ${id}`.trim())
      shots.push({ id, slide: slideIndex, box, format, mode })
      const alt = el.getAttribute('alt') ?? el.getAttribute('aria-label') ?? el.querySelector('annotation')?.textContent ?? undefined
      items.push({ kind: 'picture', box, id, format, ...(alt ? { alt: alt.trim() } : {}) })
      // Math keeps its text, invisible over its picture, so it can be found, copied and read out.
      const math = el.classList.contains('katex') ? el.querySelector('.katex-html') : el.localName === 'mjx-container' ? el : null
      const text = math?.textContent?.replace(/\s+/g, ' ').trim()
      if (text) hiddenText(box, text, 'Cambria Math', Math.max(8, box.h * 0.5))
    }
    const hiddenText = (box: Box, text: string, font: string, size: number) => {
      const run = { text, font, size, colour: { hex: '000000', alpha: 0 } }
      items.push({ kind: 'text', box, paragraphs: [{ lines: [[run]], top: 0, left: 0, lineHeight: box.h, align: 'left' }] })
    }
    /** An element that is a picture (an image, an emoji…), grown by what its box-shadow or filter paints outside its box. */
    const picture = (el: Element, rect = el.getBoundingClientRect()) => {
      const spill = tools.spill(getComputedStyle(el))
      shoot(el, 'element', rect, spill ? clip(grow(rel(rect), spill)) : undefined)
    }
    const grow = (b: Box, by: number): Box => (by ? { x: b.x - by, y: b.y - by, w: b.w + 2 * by, h: b.h + 2 * by } : b)
    /**
     * A box whose transform, filter or blending has no native equivalent: a picture of it and its
     * content (grown by what its filter and shadow paint outside it), its text invisible on top.
     */
    const flatten = (el: Element) => {
      const s = getComputedStyle(el)
      const box = clip(grow(rel(el.getBoundingClientRect()), tools.spill(s)))
      if (!box) return
      shoot(el, 'element', undefined, box)
      const text = (el as HTMLElement).innerText?.replace(/\s+/g, ' ').trim()
      if (text) hiddenText(box, text, tools.firstFamily(s.fontFamily), Math.min(box.h, parseFloat(s.fontSize) * tools.scaleOf(el)))
    }
    const border = (s: CSSStyleDeclaration, side: 'Top' | 'Right' | 'Bottom' | 'Left', scale: number): Border | undefined => {
      const width = parseFloat(s.getPropertyValue(`border-${side.toLowerCase()}-width`))
      const style = s.getPropertyValue(`border-${side.toLowerCase()}-style`)
      const colour = tools.colour(s.getPropertyValue(`border-${side.toLowerCase()}-color`))
      if (!width || style === 'none' || style === 'hidden' || colour.alpha === 0) return undefined
      return { colour, width: width * scale, style: style === 'dashed' ? 'dashed' : style === 'dotted' ? 'dotted' : 'solid' }
    }
    const sidesOf = (s: CSSStyleDeclaration, scale: number) =>
      (['Top', 'Right', 'Bottom', 'Left'] as const).map((side) => border(s, side, scale)) as Cell['borders']
    /** The box's background colour, border and corners, as a shape behind its content. */
    const decorate = (el: Element, rect = el.getBoundingClientRect()) => {
      const s = getComputedStyle(el)
      const scale = tools.scaleOf(el)
      const fill = tools.colour(s.backgroundColor)
      const sides = sidesOf(s, scale)
      const hasBorder = sides.some(Boolean)
      if (fill.alpha === 0 && !hasBorder) return
      const box = clip(rel(rect))
      if (!box) return
      const same = sides.every((b) => b && sides[0] && b.width === sides[0].width && b.colour.hex === sides[0].colour.hex)
      const radius = parseFloat(s.borderTopLeftRadius) * scale || 0
      const shadow = tools.shadow(s.boxShadow, scale)
      items.push({
        kind: 'shape',
        box,
        ...(fill.alpha > 0 ? { fill } : {}),
        ...(hasBorder ? (same ? { border: sides[0]! } : { sides }) : {}),
        ...(radius ? { radius } : {}),
        ...(shadow ? { shadow } : {}),
      })
    }
    const visible = (el: Element): boolean => {
      const s = getComputedStyle(el)
      return s.display !== 'none' && s.visibility !== 'hidden' && s.visibility !== 'collapse' && parseFloat(s.opacity) > 0
    }
    const hasBackgroundImage = (el: Element) => getComputedStyle(el).backgroundImage !== 'none'
    const textItem = (el: Element, paragraphs: Paragraph[], left: number, width: number, code: boolean) => {
      const lines = paragraphs.flatMap((p) => p.lines)
      if (!lines.some((l) => l.some((r) => r.text.trim()))) return
      const top = Math.min(...paragraphs.map((p) => p.top))
      const bottom = Math.max(...paragraphs.map((p) => p.top + p.lines.length * p.lineHeight))
      for (const p of paragraphs) p.top -= top
      const heading = /^h[1-6]$/.test(el.localName)
      const title = heading && !titled
      if (title) titled = true
      // A text-shadow is kept when all the item's text has the same one.
      const ts = getComputedStyle(el).textShadow
      const same = ts !== 'none' && [...el.querySelectorAll('*')].every((d) => getComputedStyle(d).textShadow === ts)
      const shadow = same ? tools.shadow(ts, tools.scaleOf(el)) : undefined
      items.push({
        kind: 'text',
        box: { x: left, y: top, w: width, h: bottom - top },
        paragraphs,
        ...(title ? { title } : {}),
        ...(code ? { code } : {}),
        ...(shadow ? { shadow } : {}),
      })
    }
    const SYMBOL_MARKER_EM = 0.72
    const LIST_GLYPHS: Record<string, string> = { disc: '•', circle: '◦', square: '▪', '-': '–' }
    const NUMBER_STYLES: Record<string, string> = {
      decimal: 'arabicPeriod',
      'lower-alpha': 'alphaLcPeriod',
      'upper-alpha': 'alphaUcPeriod',
      'lower-latin': 'alphaLcPeriod',
      'upper-latin': 'alphaUcPeriod',
      'lower-roman': 'romanLcPeriod',
      'upper-roman': 'romanUcPeriod',
    }
    /** A whole list (nested lists included) as one text item: a paragraph per item, with its level. */
    const list = (root: Element) => {
      const paragraphs: Paragraph[] = []
      const later: Element[] = []
      let left = Infinity
      const items = (listEl: Element, level: number) => {
        let n = (listEl as HTMLOListElement).start || 1
        for (const li of listEl.children) {
          if (li.localName !== 'li' || !visible(li)) continue
          const s = getComputedStyle(li)
          const value = (li as HTMLLIElement).value
          if (listEl.localName === 'ol' && value) n = value
          const { paragraph, pictures, boxes, left: textLeft } = tools.paragraph(li)
          for (const b of boxes) for (const r of b.getClientRects()) decorate(b, r)
          for (const pic of pictures) picture(pic.el, pic.rect)
          const size = parseFloat(s.fontSize) * tools.scaleOf(li)
          const type = s.listStyleType
          if (NUMBER_STYLES[type]) {
            paragraph.bullet = { kind: 'number', style: NUMBER_STYLES[type]!, start: n }
          } else if (type !== 'none') {
            paragraph.bullet = {
              kind: 'char',
              char: LIST_GLYPHS[type] ?? (type.replace(/^"|"$/g, '') || '•'),
              colour: tools.colour(s.color),
            }
          }
          paragraph.level = level
          paragraph.left = textLeft
          // Chromium draws a number as text ("1. ") before the item, and a disc, circle or square as a
          // shape of its own, about 0.72 em before the text (measured on Inter and Liberation Sans).
          paragraph.bulletLeft = textLeft - (paragraph.bullet?.kind === 'number' ? tools.markerWidth(li, `${n}.`) : size * SYMBOL_MARKER_EM)
          left = Math.min(left, paragraph.bulletLeft)
          if (paragraph.lines.length) paragraphs.push(paragraph)
          n += 1
          for (const child of li.children) {
            if (!visible(child) || tools.inlineChild(child)) continue
            if (child.localName === 'ul' || child.localName === 'ol') items(child, level + 1)
            else later.push(child)
          }
        }
      }
      items(root, 0)
      const box = root.getBoundingClientRect()
      const x = Number.isFinite(left) ? left : box.left - frame.left
      for (const p of paragraphs) {
        p.left -= x
        p.bulletLeft = (p.bulletLeft ?? p.left) - x
      }
      textItem(root, paragraphs, x, box.right - frame.left - x, false)
      for (const el of later) visit(el)
    }
    const table = (el: HTMLTableElement) => {
      const rows = [...el.rows].filter((r) => visible(r))
      const cells = rows.flatMap((r) => [...r.cells])
      const edges = [
        ...new Set(
          cells.flatMap((c) => [c.getBoundingClientRect().left, c.getBoundingClientRect().right].map((v) => Math.round(v * 2) / 2)),
        ),
      ]
      edges.sort((a, b) => a - b)
      const merged = edges.filter((v, i) => i === 0 || v - edges[i - 1]! > 1)
      if (merged.length < 2 || rows.length === 0) return shoot(el, 'element')
      const index = (v: number) => merged.reduce((best, e, i) => (Math.abs(e - v) < Math.abs(merged[best]! - v) ? i : best), 0)
      const item: TableItem = { kind: 'table', box: rel(el.getBoundingClientRect()), columns: [], rows: [] }
      item.columns = merged.slice(1).map((e, i) => e - merged[i]!)
      for (const row of rows) {
        const rr = row.getBoundingClientRect()
        const rowStyle = getComputedStyle(row)
        item.rows.push({
          height: rr.height,
          cells: [...row.cells].map((cell) => {
            const r = cell.getBoundingClientRect()
            const s = getComputedStyle(cell)
            const { paragraph, pictures } = tools.paragraph(cell)
            for (const pic of pictures) picture(pic.el, pic.rect)
            paragraph.top -= r.top - frame.top
            const fill = [s.backgroundColor, rowStyle.backgroundColor].map(tools.colour).find((c) => c.alpha > 0)
            const valign = s.verticalAlign === 'top' ? 'top' : s.verticalAlign === 'bottom' ? 'bottom' : 'middle'
            return {
              paragraphs: paragraph.lines.length ? [paragraph] : [],
              ...(fill ? { fill } : {}),
              borders: sidesOf(s, 1),
              padding: [s.paddingTop, s.paddingRight, s.paddingBottom, s.paddingLeft].map(parseFloat) as Cell['padding'],
              valign,
              colspan: Math.max(1, index(r.right) - index(r.left)),
              rowspan: cell.rowSpan || 1,
            } satisfies Cell
          }),
        })
      }
      items.push(item)
    }
    /** CSS opacity applies to the box and all it holds: it multiplies the alpha of each colour the box's items were given. */
    const visit = (el: Element): void => {
      const start = items.length
      visitBox(el)
      const opacity = parseFloat(getComputedStyle(el).opacity)
      if (opacity < 1 && el.localName !== 'section') for (const item of items.slice(start)) fade(item, opacity)
    }
    const faded = (c: Colour, by: number): Colour => ({ ...c, alpha: Math.round(c.alpha * by * 100) / 100 })
    const fadeRuns = (ps: Paragraph[], by: number) => {
      for (const p of ps) {
        for (const line of p.lines) for (const run of line) run.colour = faded(run.colour, by)
        if (p.bullet?.kind === 'char' && p.bullet.colour) p.bullet = { ...p.bullet, colour: faded(p.bullet.colour, by) }
      }
    }
    const fadeBorder = (b: Border | undefined, by: number) => b && { ...b, colour: faded(b.colour, by) }
    /** Pictures are left: their shots are taken with the opacity of the boxes that hold them. */
    const fade = (item: Item, by: number) => {
      if (item.kind === 'text') fadeRuns(item.paragraphs, by)
      if (item.kind === 'shape') {
        if (item.fill) item.fill = faded(item.fill, by)
        if (item.border) item.border = fadeBorder(item.border, by)
        if (item.sides) item.sides = item.sides.map((b) => fadeBorder(b, by)) as Cell['borders']
      }
      if ((item.kind === 'text' || item.kind === 'shape') && item.shadow)
        item.shadow = { ...item.shadow, colour: faded(item.shadow.colour, by) }
      if (item.kind !== 'table') return
      for (const cell of item.rows.flatMap((r) => r.cells)) {
        fadeRuns(cell.paragraphs, by)
        if (cell.fill) cell.fill = faded(cell.fill, by)
        cell.borders = cell.borders.map((b) => fadeBorder(b, by)) as Cell['borders']
      }
    }
    const visitBox = (el: Element): void => {
      if (!visible(el)) {
        const s = getComputedStyle(el)
        if (s.display === 'none' || !(parseFloat(s.opacity) > 0)) return
        // visibility: hidden: nothing of its own shows, but a child made visible again does.
        for (const child of el.children) visit(child)
        return
      }
      if (isPicture(el)) return picture(el)
      // A box that is only a background image (Marp's `![bg blur]` figures) keeps its filter in its background picture.
      const bare = hasBackgroundImage(el) && el.children.length === 0 && !el.textContent?.trim()
      if (el.localName !== 'section' && !bare && tools.flattens(getComputedStyle(el))) return flatten(el)
      if (el.localName === 'table') return table(el as HTMLTableElement)
      if (el.localName !== 'section') {
        decorate(el)
        if (hasBackgroundImage(el)) shoot(el, 'background')
      }
      if (el.localName === 'ul' || el.localName === 'ol') return list(el)
      if (el.localName !== 'section' && tools.hasInlineContent(el)) {
        const { paragraph, pictures, boxes, left, width } = tools.paragraph(el)
        for (const b of boxes) for (const r of b.getClientRects()) decorate(b, r)
        for (const pic of pictures) picture(pic.el, pic.rect)
        textItem(el, [paragraph], left, width, !!el.closest('pre, marp-pre'))
      }
      for (const child of el.children) if (!tools.inlineChild(child) || el.localName === 'section') visit(child)
      pseudo(el, '::before')
      pseudo(el, '::after')
    }
    /**
     * An absolutely placed ::before or ::after (Marp's page number, a theme's quote marks): its
     * text (strings and attr()) as a text item, its background colour as a shape, a background
     * image as a picture of the pseudo-element alone.
     */
    const pseudo = (el: Element, which: '::before' | '::after') => {
      const s = getComputedStyle(el, which)
      if (!s.content || s.content === 'none' || s.content === 'normal' || s.display === 'none' || s.position !== 'absolute') return
      let text = ''
      let picture = false
      // A url() in content is a picture (a theme's quote marks): shot with the pseudo-element's box.
      const content = s.content.replace(/url\((?:"(?:[^"\\]|\\.)*"|[^)]*)\)/g, () => ((picture = true), ''))
      for (const m of content.matchAll(/"((?:[^"\\]|\\.)*)"|attr\(\s*([\w-]+)\s*\)/g)) {
        text += m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (el.getAttribute(m[2]!) ?? '')
      }
      const fill = tools.colour(s.backgroundColor)
      const image = s.backgroundImage !== 'none' || picture
      if (!text.trim() && fill.alpha === 0 && !image) return
      const num = (v: string) => parseFloat(v) || 0
      // Its offsets are from the padding box of the nearest positioned box.
      let block: Element | null = el
      while (block && block.localName !== 'section' && getComputedStyle(block).position === 'static') block = block.parentElement
      const cb = (block ?? el).getBoundingClientRect()
      const cs = getComputedStyle(block ?? el)
      const x = cb.left - frame.left + num(cs.borderLeftWidth) + num(s.left)
      const y = cb.top - frame.top + num(cs.borderTopWidth) + num(s.top)
      const w = num(s.width) + num(s.paddingLeft) + num(s.paddingRight)
      const h = num(s.height) + num(s.paddingTop) + num(s.paddingBottom)
      const box = clip({ x, y, w, h })
      if (!box) return
      if (image) shoot(el, which, undefined, box)
      else if (fill.alpha > 0) items.push({ kind: 'shape', box, fill })
      if (!text.trim()) return
      const size = num(s.fontSize)
      const lineHeight = num(s.lineHeight) || size * 1.2
      const run = {
        text,
        font: tools.firstFamily(s.fontFamily),
        size,
        colour: tools.colour(s.color),
        ...(parseInt(s.fontWeight, 10) >= 600 ? { bold: true } : {}),
      }
      const flex = s.display.includes('flex')
      const end = (v: string) => v === 'flex-end' || v === 'end'
      const align =
        (flex && end(s.justifyContent)) || s.textAlign === 'right' || s.textAlign === 'end'
          ? 'right'
          : s.textAlign === 'center' || (flex && s.justifyContent === 'center')
            ? 'center'
            : 'left'
      const inner = { x: x + num(s.paddingLeft), y: y + num(s.paddingTop), w: num(s.width), h: Math.max(lineHeight, num(s.height)) }
      // A flex box puts its one line where align-items says.
      const drop = flex && end(s.alignItems) ? inner.h - lineHeight : flex && s.alignItems === 'center' ? (inner.h - lineHeight) / 2 : 0
      items.push({
        kind: 'text',
        box: { ...inner, y: inner.y + drop, h: lineHeight },
        paragraphs: [{ lines: [[run]], top: 0, left: 0, lineHeight, glyph: size * GLYPH_EM, align }],
      })
    }
    /** Ascent + descent of common text faces, in em (Inter 1.21, Liberation Sans 1.15): generated text has no glyph box to measure. */
    const GLYPH_EM = 1.18
    let background = { hex: 'FFFFFF', alpha: 1 }
    for (const section of sections) {
      const bg = tools.colour(getComputedStyle(section).backgroundColor)
      if (bg.alpha > 0 && background.hex === 'FFFFFF') background = bg.alpha === 1 ? bg : background
      if (hasBackgroundImage(section)) shoot(section, 'background', svg.getBoundingClientRect())
      visit(section)
    }
    slides.push({ background, items })
  })
  return { slides, shots }
}
