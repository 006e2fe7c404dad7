import type { Diagnostic } from '../util/diagnostics.js'
import type { DeckFacts } from './facts.js'
import { mathJaxError } from './mathjax.js'
import { slideOfLine } from './slides.js'

/*
 * What KaTeX and MathJax say about a deck's math, as findings at the deck's line. MathJax shows
 * a formula it cannot parse as its source in red, with the error in a `data-mjx-error` attribute. KaTeX's default strict
 * mode prints its warnings with console.warn, on stderr and naming no file, and with marp-core's
 * `throwOnError: false` a formula it cannot parse becomes red source text on the slide without a
 * word. Here the warnings go through KaTeX's `strict` handler and the errors are read from the
 * rendered HTML, both into the render's env with the line of the math they came from.
 */

export interface MathNote {
  line: number
  message: string
  /** KaTeX could not parse the formula (shown as red source text), rather than a warning. */
  error: boolean
}

export interface MathEnv {
  deckMath?: MathNote[]
}

// The render is synchronous, so the math being rendered is known while KaTeX runs.
let rendering: { notes: MathNote[]; line: number } | undefined

/** KaTeX's `strict` option: record the warning for the finding, print nothing. */
export function mathStrict(errorCode: string, errorMsg: string): 'ignore' {
  rendering?.notes.push({ line: rendering.line, message: `${errorMsg} [${errorCode}]`, error: false })
  return 'ignore'
}

// The markdown-it surface this needs.
interface MathToken {
  type: string
  map: [number, number] | null
  meta: Record<string, unknown> | null
  children: MathToken[] | null
}
type MathRule = (tokens: MathToken[], idx: number, options: unknown, env: unknown, self: unknown) => string
interface MathMarkdownIt {
  core: { ruler: { after(after: string, name: string, fn: (state: { tokens: MathToken[] }) => void): void } }
  renderer: { rules: Record<string, MathRule | undefined> }
}

const LINE = 'deckLine'
const BREAKS = new Set(['softbreak', 'hardbreak'])
const KATEX_ERROR = /class="katex-error" title="([^"]*)"/

const unescape = (s: string): string =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

/** Give each inline formula the line it is on (its paragraph's line plus the breaks before it). */
function markInlineLines(state: { tokens: MathToken[] }): void {
  for (const t of state.tokens) {
    if (t.type !== 'inline' || !t.map) continue
    let line = t.map[0] + 1
    for (const child of t.children ?? []) {
      if (BREAKS.has(child.type)) line += 1
      else if (child.type === 'marp_math_inline') child.meta = { ...child.meta, [LINE]: line }
    }
  }
}

/** Wrap marp-core's math renderers so that what KaTeX says is kept in `env.deckMath`. */
export function watchMath(md: unknown): void {
  const m = md as MathMarkdownIt
  m.core.ruler.after('inline', 'deck_math_lines', markInlineLines)
  for (const name of ['marp_math_inline', 'marp_math_block']) {
    const rule = m.renderer.rules[name]
    if (!rule) continue
    m.renderer.rules[name] = (tokens, idx, options, env, self) => {
      const token = tokens[idx]!
      const line = token.map ? token.map[0] + 1 : Number(token.meta?.[LINE] ?? 0)
      const notes: MathNote[] = env && typeof env === 'object' ? ((env as MathEnv).deckMath ??= []) : []
      rendering = { notes, line }
      try {
        const html = rule(tokens, idx, options, env, self)
        const error = KATEX_ERROR.exec(html)?.[1] ?? mathJaxError(html)
        if (error) notes.push({ line, message: unescape(error), error: true })
        return html
      } finally {
        rendering = undefined
      }
    }
  }
}

/** The render's math notes as findings, one per line and message. */
export function checkMath(file: string, notes: readonly MathNote[], facts: Pick<DeckFacts, 'slides'>): Diagnostic[] {
  const seen = new Set<string>()
  const out: Diagnostic[] = []
  for (const n of notes) {
    const key = `${n.line}\u0000${n.message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({
      rule: 'math',
      severity: 'warning',
      file,
      ...(n.line ? { line: n.line, slide: slideOfLine(facts, n.line) } : {}),
      message: n.error
        ? `math cannot be parsed, so the slide shows its source in red: ${n.message}`
        : `KaTeX warns about this math: ${n.message}`,
      hint: n.error
        ? 'Fix the LaTeX. A `$` meant as a dollar sign is written `\\$`.'
        : 'Write the text with a LaTeX command or inside `\\text{…}`; KaTeX renders it, but LaTeX would not.',
    })
  }
  return out
}

const KATEX_FONT_FACE = /@font-face\s*\{[^}]*font-family:\s*["']?KaTeX_[^}]*\}/g

/**
 * Marp's CSS without KaTeX's own @font-face rules: with `fontPath: false` (see engine.ts) they
 * name font files relative to a folder that does not exist beside the deck. The deck's font CSS
 * carries the same faces, inlined (assets.ts mathFonts).
 */
export function withoutKatexFontFaces(css: string): string {
  return css.includes('KaTeX_') ? css.replace(KATEX_FONT_FACE, '') : css
}
