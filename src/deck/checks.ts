import colorNames from 'color-name'
import type { Diagnostic } from '../diagnostics.js'
import type { DeckFacts } from '../engine.js'

/**
 * Checks that need only the Markdown and the render's facts (no browser): they run on every
 * build, and lint adds its browser checks on top.
 */

const COLOUR_DIRECTIVES = new Set(['backgroundColor', 'color'])
const CSS_WIDE = new Set(['transparent', 'currentcolor', 'inherit', 'initial', 'unset', 'revert'])
const HEX = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i
const FUNCTION = /^(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color|color-mix|light-dark|var)\(.*\)$/i

export function isCssColour(value: string): boolean {
  const v = value.trim().toLowerCase()
  return HEX.test(v) || FUNCTION.test(v) || CSS_WIDE.has(v) || v in colorNames
}

/** Whether the theme CSS defines a slide class of this name (`section.name` or `.name`). */
export const themeHasClass = (themeCss: string, name: string): boolean =>
  new RegExp(`\\.${name.replace(/[^\w-]/g, '')}(?![\\w-])`).test(themeCss)

export interface DirectiveInput {
  key: string
  value: unknown
  line: number
  slide?: number
}

export function checkDirectiveValues(file: string, directives: DirectiveInput[], themeCss: string): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const d of directives) {
    const key = d.key.replace(/^_/, '')
    if (!COLOUR_DIRECTIVES.has(key) || typeof d.value !== 'string' || isCssColour(d.value)) continue
    const asClass = themeHasClass(themeCss, d.value)
    out.push({
      rule: 'directive-value',
      severity: 'warning',
      file,
      line: d.line,
      ...(d.slide ? { slide: d.slide } : {}),
      message: `\`${d.key}: ${d.value}\` is not a colour, so it does nothing${asClass ? `; did you mean \`class: ${d.value}\`?` : '.'}`,
      hint: asClass
        ? `\`${d.value}\` is a class of the theme: use \`<!-- class: ${d.value} -->\`, or give ${key} a CSS colour.`
        : `Give ${key} a CSS colour such as #E2EAF6 or steelblue.`,
    })
  }
  return out
}

export function checkFences(file: string, facts: DeckFacts): Diagnostic[] {
  return facts.fences
    .filter((f) => !f.known)
    .map((f) => ({
      rule: 'unknown-language',
      severity: 'warning' as const,
      file,
      line: f.line,
      slide: f.slide,
      message: `code block language \`${f.lang}\` is not known to shiki, so it is shown without highlighting`,
      hint: 'Use a language shiki knows (bash, yaml, json, ts…), or `text` for plain text.',
    }))
}
