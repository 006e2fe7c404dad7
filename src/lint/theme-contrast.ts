import type { RenderedDeck } from '../render/render.js'
import { BUILTIN_THEMES } from '../render/themes.js'
import type { Diagnostic } from '../util/diagnostics.js'
import type { ContrastNode } from './contrast.js'

/*
 * Contrast the deck's author cannot fix in the deck: colours that come from a built-in Marp
 * theme (stock gaia's code blocks are 2.7:1). They are one `theme-contrast` finding per deck,
 * at its `theme:` line, instead of one `contrast` finding per slide, so a project can turn just
 * these off. A slide whose colours the deck sets (a colour or background directive, a `<style>`
 * or `style:` of the deck, an inline style) keeps its `contrast` findings.
 */

const COLOUR_KEYS = new Set(['color', 'backgroundColor', 'backgroundImage'])

/** The contrast nodes split into those the theme alone causes and those of the deck. */
export function splitThemeContrast(deck: RenderedDeck, nodes: readonly ContrastNode[]): { theme: ContrastNode[]; deck: ContrastNode[] } {
  if (deck.theme.file || !(BUILTIN_THEMES as readonly string[]).includes(deck.theme.name)) return { theme: [], deck: [...nodes] }
  const { front, body } = splitFrontMatter(deck.markdown)
  // The deck's own CSS may set any colour on any slide.
  if (
    /^\s*style\s*:/m.test(front) ||
    /<style[\s>]|\sstyle\s*=\s*["']/i.test(body) ||
    deck.facts.directives.some((d) => d.key === 'style')
  ) {
    return { theme: [], deck: [...nodes] }
  }
  const globalColours = new RegExp(`^\\s*(?:${[...COLOUR_KEYS].join('|')})\\s*:`, 'm').test(front)
  const deckColoured = (slide: number): boolean =>
    globalColours ||
    deck.facts.directives.some((d) => {
      const local = d.key.startsWith('_')
      if (!COLOUR_KEYS.has(local ? d.key.slice(1) : d.key)) return false
      return local ? d.slide === slide : d.slide <= slide
    })
  const out = { theme: [] as ContrastNode[], deck: [] as ContrastNode[] }
  for (const n of nodes) (deckColoured(n.slide) ? out.deck : out.theme).push(n)
  return out
}

function splitFrontMatter(markdown: string): { front: string; body: string } {
  const m = /^---\s*\n([\s\S]*?)\n---\s*(?:\n|$)/.exec(markdown)
  return m ? { front: m[1]!, body: markdown.slice(m[0].length) } : { front: '', body: markdown }
}

/** One finding for the theme's own contrast failures, at the deck's `theme:` line. */
export function themeContrastFinding(deck: RenderedDeck, nodes: readonly ContrastNode[]): Diagnostic[] {
  if (!nodes.length) return []
  const pairs = new Map<string, { fg: string; bg: string; ratio: number; expected: number; slides: Set<number>; element: string }>()
  for (const n of nodes) {
    const key = `${n.fg}\u0000${n.bg}\u0000${n.expected}`
    const pair = pairs.get(key) ?? {
      fg: n.fg,
      bg: n.bg,
      ratio: n.ratio,
      expected: n.expected,
      slides: new Set<number>(),
      element: n.element,
    }
    pair.ratio = Math.min(pair.ratio, n.ratio)
    pair.slides.add(n.slide)
    pairs.set(key, pair)
  }
  const sorted = [...pairs.values()].sort((a, b) => a.ratio - b.ratio)
  const shown = sorted.slice(0, 3).map((p) => {
    const slides = [...p.slides].sort((a, b) => a - b)
    return `${p.fg} on ${p.bg} is ${p.ratio}:1 (AA needs ${p.expected}:1; ${p.element}, slide${slides.length > 1 ? 's' : ''} ${slides.join(', ')})`
  })
  const more = sorted.length > 3 ? ` and ${sorted.length - 3} more colour pairs` : ''
  const lines = deck.markdown.split('\n')
  const end = lines[0]?.trim() === '---' ? lines.indexOf('---', 1) : -1
  const themeLine = end > 0 ? lines.slice(1, end).findIndex((l) => /^theme\s*:/.test(l)) : -1
  return [
    {
      rule: 'theme-contrast',
      severity: 'warning',
      file: deck.file,
      ...(themeLine >= 0 ? { line: themeLine + 2 } : {}),
      message: `the built-in theme ${deck.theme.name} has text below WCAG AA contrast: ${shown.join('; ')}${more}`,
      hint: `These colours come from Marp's ${deck.theme.name} theme, not from the deck: use a theme of your own that fixes them, or turn the rule off ("lint": { "rules": { "theme-contrast": "off" } }).`,
    },
  ]
}
