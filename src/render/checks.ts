import colorNames from 'color-name'
import type { Diagnostic } from '../util/diagnostics.js'
import type { DeckFacts } from './facts.js'
import { directiveProblem, type DirectiveContext } from './directives.js'

/*
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

export function checkDirectiveValues(file: string, directives: DirectiveInput[], themeCss: string, ctx?: DirectiveContext): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const d of directives) {
    const key = d.key.replace(/^_/, '')
    const problem = ctx && !COLOUR_DIRECTIVES.has(key) ? directiveProblem(d.key, d.value, ctx) : undefined
    if (problem)
      out.push({ rule: 'directive-value', severity: 'warning', file, line: d.line, ...(d.slide ? { slide: d.slide } : {}), ...problem })
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
  const unclosed = facts.fences.flatMap((f) => {
    if (!f.unclosed) return []
    const n = f.unclosed.separators
    return [
      {
        rule: 'unclosed-fence',
        severity: 'warning' as const,
        file,
        line: f.line,
        slide: f.slide,
        message: `this code fence is never closed, so it runs to the end of the deck${n ? ` and swallows ${n} slide separator${n === 1 ? '' : 's'}: the slides after it are shown as code` : ': the rest of the deck is shown as code'}`,
        hint: 'Close it with a ``` line (the same number of backticks or tildes as it opens with) after the code.',
      },
    ]
  })
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
    .concat(unclosed)
}

// A remote reference in CSS: `@import 'https://…'`, `@import url(…)` or any `url(…)`.
const REMOTE_CSS =
  /@import\s+(?:url\(\s*)?(["'])((?:https?:)?\/\/[^"']+)\1|@import\s+url\(\s*((?:https?:)?\/\/[^)\s]+)\s*\)|url\(\s*(["']?)((?:https?:)?\/\/[^"')\s]+)\4\s*\)/gi

/**
 * Remote `@import`, `@font-face` sources and `url()`s of the deck's theme files that are still
 * remote in the rendered CSS, i.e. not embedded: the outputs load nothing from the network, so
 * the slides render without them. One finding per reference, at the theme file's line.
 */
export function checkThemeResources(themes: ReadonlyArray<{ file: string; css: string }>, renderedCss: string): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const theme of themes) {
    // Comments become spaces, so offsets and line numbers stay those of the file.
    const css = theme.css.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    for (const m of css.matchAll(REMOTE_CSS)) {
      const url = m[2] ?? m[3] ?? m[5] ?? ''
      if (!renderedCss.includes(url)) continue
      const line = css.slice(0, m.index).split('\n').length
      const what = m[0].startsWith('@import')
        ? '@import'
        : /@font-face[^{}]*\{[^}]*$/.test(css.slice(0, m.index))
          ? '@font-face source'
          : 'url()'
      out.push({
        rule: 'remote-resource',
        severity: 'warning',
        file: theme.file,
        line,
        message: `the theme's ${what} ${url} is not embedded, so the outputs render without it (nothing is fetched at build time)`,
        hint: 'Download it next to the theme and link it by relative path, so every output has it.',
      })
    }
  }
  return out
}

/**
 * A theme's web font that could not be embedded (offline and not cached, refused, an error):
 * one finding per URL, at the line of the theme file that names it, or at the deck's `theme:`
 * line for a built-in theme (gaia's font CSS). Every output falls back alike: the URL is gone
 * from the CSS.
 */
export function webFontFindings(
  deck: string,
  problems: ReadonlyArray<{ url: string; what: string; reason: string; hint: string }>,
  themes: ReadonlyArray<{ file: string; css: string }>,
  theme: { name: string; line?: number },
  markdown = '',
): Diagnostic[] {
  const source = markdown.split('\n')
  const out = problems.map((p): Diagnostic => {
    // A deck's own <style> may name a web font too: its line in the deck.
    const own = source.findIndex((l) => l.includes(p.url))
    if (own >= 0) {
      const message = `web font (${p.what}) ${p.url} was not embedded: ${p.reason}; every output uses the fallback font instead`
      return { rule: 'remote-resource', severity: 'warning', file: deck, line: own + 1, message, hint: p.hint }
    }
    const owner = themes.find((t) => t.css.includes(p.url))
    const tail = `was not embedded: ${p.reason}; every output uses the theme's fallback font instead`
    if (owner) {
      const line = owner.css.slice(0, owner.css.indexOf(p.url)).split('\n').length
      const message = `the theme's web font (${p.what}) ${p.url} ${tail}`
      return { rule: 'remote-resource', severity: 'warning', file: owner.file, line, message, hint: p.hint }
    }
    return {
      rule: 'remote-resource',
      severity: 'warning',
      file: deck,
      ...(theme.line ? { line: theme.line } : {}),
      message: `theme ${theme.name}: its web font (${p.what}) ${p.url} ${tail}`,
      hint: p.hint,
    }
  })
  return out.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0))
}
