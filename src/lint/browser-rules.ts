import type { Page } from 'puppeteer-core'
import type { PageCheck } from '../pipeline/builder.js'
import type { Diagnostic } from '../util/diagnostics.js'
import type { RenderedDeck } from '../render/render.js'
import { ensureAxe, probeContrast, type ContrastNode } from './contrast.js'
import { probeSlides, type ProbedElement, type ProbedSlide } from './page-probe.js'
import { splitThemeContrast, themeContrastFinding } from './theme-contrast.js'

/*
 * The rules measured in the loaded print page (overflow, code-size, contrast), turned into
 * findings with Markdown lines: a code block maps to its fence, a heading to its heading line,
 * anything else to the line where the slide starts.
 */

export interface PageRuleOptions {
  /** Smallest readable code font size in px on a 1280 px wide slide; scaled with the slide width. */
  minCodeFontPx: number
}

/** The reference width `minCodeFontPx` is given for: a 16:9 slide of marp-core's default size. */
export const REFERENCE_WIDTH = 1280

function lineOf(deck: RenderedDeck, slide: number, el: ProbedElement | undefined): number | undefined {
  if (el?.fence !== undefined) {
    const fence = deck.facts.fences.filter((f) => f.slide === slide)[el.fence]
    if (fence) return fence.line
  }
  if (el?.heading !== undefined) {
    const heading = deck.facts.headings.filter((h) => h.slide === slide)[el.heading]
    if (heading) return heading.line
  }
  return deck.facts.slides.find((s) => s.slide === slide)?.line
}

const what = (el: ProbedElement | undefined): string =>
  !el ? 'content' : el.fence !== undefined ? 'code block' : el.heading !== undefined ? `heading <${el.tag}>` : `<${el.tag}>`

const withClass = (s: { classes: string }) => (s.classes.trim() ? ` (class ${s.classes.trim().split(/\s+/).join(' ')})` : '')

export function overflowFindings(deck: RenderedDeck, slides: readonly ProbedSlide[], options: PageRuleOptions): Diagnostic[] {
  const out: Diagnostic[] = []
  const minPx = (options.minCodeFontPx * deck.size.width) / REFERENCE_WIDTH
  for (const s of slides) {
    const line = lineOf(deck, s.slide, s.culprit)
    if (s.bottom > 0 || s.right > 0) {
      const edges = [s.bottom > 0 ? `${s.bottom}px past the bottom` : '', s.right > 0 ? `${s.right}px past the right edge` : ''].filter(
        Boolean,
      )
      out.push({
        rule: 'overflow',
        severity: 'warning',
        file: deck.file,
        ...(line ? { line } : {}),
        slide: s.slide,
        message: `slide ${s.slide} overflows: ${what(s.culprit)} runs ${edges.join(' and ')}, which is cut off in the PDF`,
        hint: 'Shorten the slide, split it in two, or make the text smaller with a class (e.g. `<!-- _class: font-xs -->`).',
        px: Math.max(s.bottom, s.right),
      })
    }
    for (const c of s.clipped) {
      const at = lineOf(deck, s.slide, c)
      out.push({
        rule: 'overflow',
        severity: 'warning',
        file: deck.file,
        ...(at ? { line: at } : {}),
        slide: s.slide,
        message: `slide ${s.slide}: ${what(c)} hides ${Math.round(Math.max(c.bottom, c.right))}px of its own content (${c.bottom > c.right ? 'bottom' : 'right'})`,
        hint: 'The box clips what does not fit: shorten its content.',
        px: Math.round(Math.max(c.bottom, c.right)),
      })
    }
    for (const c of s.code) {
      if (c.px >= minPx) continue
      const fence = deck.facts.fences.filter((f) => f.slide === s.slide)[c.fence]
      const line = fence?.line ?? lineOf(deck, s.slide, undefined)
      const shrunk = c.scale < 1 ? `Marp shrank it to ${Math.round(c.scale * 100)}% to fit, so ` : ''
      out.push({
        rule: 'code-size',
        severity: 'warning',
        file: deck.file,
        ...(line ? { line } : {}),
        slide: s.slide,
        message: `slide ${s.slide}: code block is unreadable: ${shrunk}its text is ${c.px}px (below ${Math.round(minPx * 10) / 10}px)`,
        hint: 'Shorten the long lines or split the code over slides; show only the lines that matter.',
        px: c.px,
      })
    }
  }
  return out
}

export function contrastFindings(deck: RenderedDeck, all: readonly ContrastNode[]): Diagnostic[] {
  // What a built-in theme causes is one finding for the deck (theme-contrast.ts).
  const split = splitThemeContrast(deck, all)
  const nodes = split.deck
  // One finding per slide and colour pair: a paragraph of grey-on-grey is one problem, not ten.
  const groups = new Map<string, ContrastNode[]>()
  for (const n of nodes) {
    const key = `${n.slide}\u0000${n.fg}\u0000${n.bg}\u0000${n.expected}`
    groups.set(key, [...(groups.get(key) ?? []), n])
  }
  const out: Diagnostic[] = []
  for (const group of groups.values()) {
    const first = group[0]!
    const worst = Math.min(...group.map((n) => n.ratio))
    const line = deck.facts.slides.find((s) => s.slide === first.slide)?.line
    const elements =
      group
        .slice(0, 3)
        .map((n) => n.element)
        .join(', ') + (group.length > 3 ? ` and ${group.length - 3} more` : '')
    out.push({
      rule: 'contrast',
      severity: 'warning',
      file: deck.file,
      ...(line ? { line } : {}),
      ...(first.slide ? { slide: first.slide } : {}),
      message: `slide ${first.slide}${withClass(first)}: text ${first.fg} on ${first.bg} has contrast ${worst}:1, below WCAG AA ${first.expected}:1 (${elements})`,
      hint: 'Pick a text colour (or class) that passes on this background; check the theme colours for this class.',
    })
  }
  return [...themeContrastFinding(deck, split.theme), ...out]
}

/** A measurement that failed is reported, not thrown: it must not cost the author the PDF. */
function measureFailed(deck: RenderedDeck, e: unknown): Diagnostic[] {
  return [
    {
      rule: 'overflow',
      severity: 'error',
      file: deck.file,
      message: `lint could not measure the slides in the browser: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`,
      hint: 'Run with DEBUG=deck:* to see more; the outputs were still written.',
    },
  ]
}

/** The page checks of lint: overflow and code-size from one probe of the boxes, then contrast. */
export function pageChecks(options: PageRuleOptions): [PageCheck<ProbedSlide>, PageCheck<ContrastNode>] {
  const boxes: PageCheck<ProbedSlide> = {
    async measure(page, deck, slides) {
      // marp-core's auto-scaling settles in animation frames after load: measure after two.
      // (Bounded by a timer: a page in the background may get no frames.)
      await page.evaluate(
        () =>
          new Promise<void>((resolve) => {
            setTimeout(resolve, 200)
            requestAnimationFrame(() => requestAnimationFrame(() => resolve()))
          }),
      )
      return page.evaluate(probeSlides, slides ?? null, deck.themeClips ?? [])
    },
    findings: (deck, measured) => overflowFindings(deck, measured, options),
    failed: measureFailed,
  }
  const contrast: PageCheck<ContrastNode> = {
    measure: (page, _deck, slides) => probeContrast(page, slides),
    findings: (deck, measured) => contrastFindings(deck, measured),
    failed: measureFailed,
    prepare: ensureAxe,
  }
  return [boxes, contrast]
}

/** Every page check on every slide of a loaded page (the lint bench measures this). */
export async function checkPage(page: Page, deck: RenderedDeck, options: PageRuleOptions): Promise<Diagnostic[]> {
  const [boxes, contrast] = pageChecks(options)
  const boxFindings = boxes.findings(deck, await boxes.measure(page, deck))
  return [...boxFindings, ...contrast.findings(deck, await contrast.measure(page, deck))]
}
