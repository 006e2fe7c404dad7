/*
 * What the overflow and code-size rules measure in the print page, as one function that runs in
 * the browser (puppeteer serialises it, so it may use nothing from outside its body). Kept apart
 * from the rules so the measuring and the wording can change separately.
 */

export interface ProbedElement {
  /** Tag name, lower case (`marp-pre` is a code block). */
  tag: string
  /** Index among the slide's code blocks, when the element is or holds one (for its Markdown line). */
  fence?: number
  /** Index among the slide's headings, when the element is one. */
  heading?: number
}

export interface ProbedSlide {
  slide: number
  /** Slide classes (`invert`, `bg-secondary`…), for messages. */
  classes: string
  /** Pixels of content past the bottom and right edges (slide px, 0 when none). */
  bottom: number
  right: number
  /** The first top-level block that reaches past the edge. */
  culprit?: ProbedElement
  /** Boxes with hidden/scroll overflow inside the slide whose own content is cut. */
  clipped: Array<ProbedElement & { bottom: number; right: number }>
  /** Code blocks: effective font size in slide px and the auto-scaling factor Marp applied. */
  code: Array<{ fence: number; px: number; scale: number }>
}

/**
 * Measures the given slides (1-based), or every slide without `only`. `themeClips` are the
 * selectors of boxes the theme clips by design (see themeClippingSelectors): what they hide is
 * not reported, unless the deck sets their overflow itself (an inline style).
 */
export function probeSlides(only?: readonly number[] | null, themeClips: readonly string[] = []): ProbedSlide[] {
  const TOLERANCE = 1 // sub-pixel layout and a cut 1 px border are not worth a finding
  const all = [...document.querySelectorAll<SVGSVGElement>('svg[data-marpit-svg]')]
  const svgs = only ? only.filter((n) => all[n - 1]).map((n) => ({ svg: all[n - 1]!, n })) : all.map((svg, i) => ({ svg, n: i + 1 }))
  const headingTags = new Set(['H1', 'H2', 'H3', 'H4', 'H5', 'H6'])
  const isCode = (el: Element) => el.tagName === 'MARP-PRE' || el.tagName === 'PRE'
  return svgs.map(({ svg, n }) => {
    // With advanced backgrounds a slide has several sections; the content one is measured.
    const sections = [...svg.querySelectorAll<HTMLElement>(':scope > foreignObject > section')]
    const section =
      sections.find((s) => !s.dataset['marpitAdvancedBackground'] || s.dataset['marpitAdvancedBackground'] === 'content') ?? sections[0]
    const result: ProbedSlide = { slide: n, classes: section?.className ?? '', bottom: 0, right: 0, clipped: [], code: [] }
    if (!section) return result
    const box = section.getBoundingClientRect()
    // Slide px per CSS px on screen (1 in the print page; kept so a scaled page still measures right).
    const unit = section.offsetWidth ? box.width / section.offsetWidth : 1
    const codes = [...section.querySelectorAll('pre, marp-pre')].filter((el) => !el.parentElement?.closest('pre, marp-pre'))
    const headings = [...section.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    const describe = (el: Element): ProbedElement => {
      const out: ProbedElement = { tag: el.tagName.toLowerCase() }
      const code = isCode(el) ? el : el.querySelector('pre, marp-pre')
      if (code && codes.includes(code)) out.fence = codes.indexOf(code)
      if (headingTags.has(el.tagName)) out.heading = headings.indexOf(el)
      return out
    }
    const clips = (el: Element) => {
      const s = getComputedStyle(el)
      return s.overflowX !== 'visible' || s.overflowY !== 'visible'
    }
    // Content hidden on purpose, never a finding: KaTeX's MathML copy, MathJax's assistive MathML,
    // screen-reader-only text (a 1 px box, `clip: rect(…)` or `clip-path: inset(50%)`).
    const hiddenOnPurpose = (el: Element) => {
      if (el.matches('.katex-mathml, mjx-assistive-mml, .sr-only, .visually-hidden')) return true
      if (!clips(el)) return false
      const s = getComputedStyle(el)
      const r = el.getBoundingClientRect()
      return (s.clip !== '' && s.clip !== 'auto') || /^inset\(\s*50%/.test(s.clipPath) || r.width <= 1 || r.height <= 1
    }
    // A box that cuts its content by the theme's design (gaia's header), not by the deck's style.
    const clippedByTheme = (el: HTMLElement) => {
      const s = getComputedStyle(el)
      const hides = (v: string) => v === 'hidden' || v === 'clip'
      if (!hides(s.overflowX) && !hides(s.overflowY)) return false
      if (/overflow/i.test(el.getAttribute('style') ?? '')) return false
      return themeClips.some((selector) => {
        try {
          return el.matches(selector)
        } catch {
          return false
        }
      })
    }
    // Walk the slide's boxes, not descending into boxes that clip their own content: what they
    // hide is measured on them (scrollHeight) and they themselves are measured against the slide.
    const walk = (el: Element, top: Element) => {
      if (hiddenOnPurpose(el)) return
      const r = el.getBoundingClientRect()
      if (r.width || r.height) {
        const bottom = (r.bottom - box.bottom) / unit
        const right = (r.right - box.right) / unit
        if (bottom > TOLERANCE || right > TOLERANCE) {
          if (!result.culprit) result.culprit = describe(top)
          result.bottom = Math.max(result.bottom, bottom)
          result.right = Math.max(result.right, right)
        }
      }
      if (el !== section && el instanceof HTMLElement && clips(el)) {
        const hiddenY = el.scrollHeight - el.clientHeight
        const hiddenX = el.scrollWidth - el.clientWidth
        if ((hiddenY > TOLERANCE || hiddenX > TOLERANCE) && !clippedByTheme(el)) {
          result.clipped.push({ ...describe(el), bottom: Math.max(0, hiddenY), right: Math.max(0, hiddenX) })
        }
        return
      }
      for (const child of el.children) walk(child, top)
    }
    for (const child of section.children) walk(child, child)
    result.bottom = Math.round(result.bottom)
    result.right = Math.round(result.right)

    codes.forEach((pre, fence) => {
      // marp-core's auto-scaling draws the code inside an SVG (shadow DOM) scaled to fit.
      const scaler = pre.shadowRoot?.querySelector('marp-auto-scaling')?.shadowRoot?.querySelector('svg')
      let scale = 1
      const vb = scaler?.viewBox?.baseVal
      if (scaler && vb && vb.width && vb.height) {
        const r = scaler.getBoundingClientRect()
        scale = Math.min(1, r.width / unit / vb.width, r.height / unit / vb.height)
      }
      const code = pre.querySelector('code') ?? pre
      const px = parseFloat(getComputedStyle(code).fontSize) * scale
      result.code.push({ fence, px: Math.round(px * 10) / 10, scale: Math.round(scale * 1000) / 1000 })
    })
    return result
  })
}
