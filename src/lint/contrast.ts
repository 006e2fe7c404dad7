import { readFile } from 'node:fs/promises'
import { memo } from '../util/memo.js'
import { createRequire } from 'node:module'
import type { Page } from 'puppeteer-core'

/*
 * Contrast in the print page with axe-core's `color-contrast` rule (WCAG AA: 4.5:1, 3:1 for
 * large text), so the colours are the ones the browser actually paints, through the theme, the
 * slide classes and inline styles.
 *
 * axe cannot see through marp-core's auto-scaling: code in a scaled block sits in an SVG and
 * axe answers "incomplete" (an image may be behind it) for every token, slowly (a hit test per
 * span). So code blocks are left out of axe's run, and for them we take the block's own
 * background and ask axe's colour helpers for the ratio of each distinct token colour, with
 * "large text" judged on the size after scaling.
 *
 * axe's rule costs a hit test per text element, most of a big build's lint time. So a first pass
 * leaves out the text that plainly passes: on a slide where nothing could sit behind text but its
 * ancestors (one layer, no positioned, floated or transformed box with a background), text whose
 * own colour over its ancestors' opaque background colours is at least PLAIN_PASS:1 even for
 * normal-size text, with no image, opacity, filter, blend, shadow or stroke on the way. axe then
 * judges the rest, with the whole page as context, and skips its run when nothing is left.
 */

export interface ContrastNode {
  slide: number
  classes: string
  /** A short description of the element: tag and the start of its text. */
  element: string
  fg: string
  bg: string
  ratio: number
  /** Required ratio, e.g. 4.5. */
  expected: number
}

/** axe-core's browser bundle, read once per process from the installed package. */
export const loadAxeSource = memo(() => readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'))

/** axe-core in the page, unless it is there already (a global, so it survives `setContent`). */
export async function ensureAxe(page: Page): Promise<void> {
  const hasAxe = await page.evaluate(() => 'axe' in window)
  if (!hasAxe) await page.addScriptTag({ content: await loadAxeSource() })
}

/** Contrast on the given slides (1-based), or on the whole page without `slides`. */
export async function probeContrast(page: Page, slides?: readonly number[]): Promise<ContrastNode[]> {
  await ensureAxe(page)
  return page.evaluate(inPage, slides)
}

/* Runs in the browser: no references to anything outside its body. */
async function inPage(only?: readonly number[]): Promise<ContrastNode[]> {
  interface AxeColor {
    red: number
    green: number
    blue: number
    alpha: number
    parseString(s: string): AxeColor
    toHexString(): string
  }
  interface AxeNode {
    element?: Element
    any: Array<{
      data?: { fgColor?: string; bgColor?: string; contrastRatio?: number; expectedContrastRatio?: string; messageKey?: string } | null
    }>
  }
  interface AxeLike {
    run(ctx: object, opts: object): Promise<{ violations: Array<{ nodes: AxeNode[] }> }>
    commons: {
      color: {
        Color: new () => AxeColor
        getContrast(bg: AxeColor, fg: AxeColor): number
        flattenColors(fg: AxeColor, bg: AxeColor): AxeColor
      }
    }
  }
  const axe = (window as unknown as { axe: AxeLike }).axe
  // Above AA's 4.5:1 for normal text, with room for axe's rounding.
  const PLAIN_PASS = 4.6
  const svgs = [...document.querySelectorAll('svg[data-marpit-svg]')]
  // Slides are stacked apart in the print page, so a slide's colours do not depend on the others
  // and axe can be limited to the slides asked for. (It still builds its grid of every element
  // in the page, so watch mode gives it a page holding only those slides.)
  const picked = only?.map((n) => svgs[n - 1]).filter((svg): svg is Element => svg !== undefined)
  const where = (el: Element) => {
    const svg = el.closest('svg[data-marpit-svg]')
    const section = el.closest('section')
    return { slide: svg ? svgs.indexOf(svg) + 1 : 0, classes: section?.className ?? '' }
  }
  const describe = (el: Element) => {
    const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim()
    return `<${el.tagName.toLowerCase()}>${text ? ` "${text.length > 40 ? `${text.slice(0, 39)}…` : text}"` : ''}`
  }
  // The first pass (see the top of this file): what of `slides` axe must judge.
  function forAxe(slides: Element[]): Element[] {
    const include: Element[] = []
    for (const svg of slides) {
      const section = svg.querySelector(':scope > foreignObject > section')
      if (!section || layered(svg) || (ownText(section) && !plainlyPasses(section, section))) {
        include.push(svg)
        continue
      }
      for (const el of section.querySelectorAll('*')) {
        if (el.closest('marp-pre, pre') || !ownText(el) || plainlyPasses(el, section)) continue
        if (!include.some((outer) => outer.contains(el))) include.push(el)
      }
    }
    return include
  }
  // Something other than an element's ancestors may be behind its text: Marp's background
  // layers (a second foreignObject), or a positioned (or offset), floated or transformed box
  // with a background.
  function layered(svg: Element): boolean {
    if (svg.querySelectorAll(':scope > foreignObject').length !== 1) return true
    for (const el of svg.querySelectorAll('section *')) {
      const s = getComputedStyle(el)
      const offset = s.position === 'relative' && [s.top, s.right, s.bottom, s.left].some((v) => v !== 'auto' && v !== '0px')
      const moved = offset || (s.position !== 'static' && s.position !== 'relative')
      if (!moved && s.float === 'none' && s.transform === 'none') continue
      if (parse(s.backgroundColor).alpha > 0 || s.backgroundImage !== 'none') return true
    }
    return false
  }
  function ownText(el: Element): boolean {
    return [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && !!n.textContent?.trim())
  }
  function plainlyPasses(el: Element, section: Element): boolean {
    if (!(el instanceof HTMLElement)) return false
    const own = getComputedStyle(el)
    const fill = own.getPropertyValue('-webkit-text-fill-color')
    if (own.textShadow !== 'none' || (fill && fill !== own.color) || parseFloat(own.getPropertyValue('-webkit-text-stroke-width')) > 0)
      return false
    const layers: AxeColor[] = []
    for (let up: Element | null = el; ; up = up.parentElement) {
      if (!up) return false
      const s = up === el ? own : getComputedStyle(up)
      if (Number(s.opacity) < 1 || s.filter !== 'none' || s.mixBlendMode !== 'normal' || s.backgroundImage !== 'none') return false
      const bg = parse(s.backgroundColor)
      if (bg.alpha > 0) layers.push(bg)
      if (bg.alpha >= 1) break
      if (up === section) return false
    }
    let bg = layers.pop()!
    while (layers.length) bg = flattenColors(layers.pop()!, bg)
    return getContrast(bg, flattenColors(parse(own.color), bg)) >= PLAIN_PASS
  }
  const out: ContrastNode[] = []
  if (picked?.length === 0) return out
  const { Color, getContrast, flattenColors } = axe.commons.color
  const parse = (s: string) => new Color().parseString(s)
  const include = forAxe(picked ?? svgs)
  const results = include.length
    ? await axe.run(
        { include, exclude: [['marp-pre'], ['pre']] },
        { runOnly: { type: 'rule', values: ['color-contrast'] }, resultTypes: ['violations'], elementRef: true },
      )
    : { violations: [] }
  for (const node of results.violations.flatMap((v) => v.nodes)) {
    const data = node.any.find((a) => a.data?.contrastRatio !== undefined)?.data
    if (!node.element || !data) continue
    out.push({
      ...where(node.element),
      element: describe(node.element),
      fg: data.fgColor ?? '?',
      bg: data.bgColor ?? '?',
      ratio: data.contrastRatio ?? 0,
      expected: parseFloat(data.expectedContrastRatio ?? '4.5'),
    })
  }
  const roots: ParentNode[] = picked ?? [document]
  const pres = roots.flatMap((root) => [...root.querySelectorAll('svg[data-marpit-svg] marp-pre, svg[data-marpit-svg] pre')])
  for (const pre of pres) {
    if (pre.parentElement?.closest('marp-pre, pre')) continue
    let bg = parse(getComputedStyle(pre).backgroundColor)
    for (let up = pre.parentElement; bg.alpha < 1 && up; up = up.parentElement)
      bg = flattenColors(bg, parse(getComputedStyle(up).backgroundColor))
    if (bg.alpha < 1) continue
    const scaler = pre.shadowRoot?.querySelector('marp-auto-scaling')?.shadowRoot?.querySelector('svg')
    const vb = scaler?.viewBox?.baseVal
    const scale = scaler && vb && vb.width ? Math.min(1, scaler.getBoundingClientRect().width / vb.width) : 1
    const seen = new Set<string>()
    for (const el of [pre, ...pre.querySelectorAll('*')]) {
      if (![...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim())) continue
      const style = getComputedStyle(el)
      // Large text (3:1) is 18pt, or 14pt bold, at the size the code is drawn after scaling.
      const px = parseFloat(style.fontSize) * scale
      const large = px >= 24 || (px >= 18.66 && Number(style.fontWeight) >= 700)
      const key = `${style.color}|${large}`
      if (seen.has(key)) continue
      seen.add(key)
      const fg = flattenColors(parse(style.color), bg)
      const ratio = Math.round(getContrast(bg, fg) * 100) / 100
      const expected = large ? 3 : 4.5
      if (ratio >= expected) continue
      out.push({ ...where(el), element: describe(el), fg: fg.toHexString(), bg: bg.toHexString(), ratio, expected })
    }
  }
  return out
}
