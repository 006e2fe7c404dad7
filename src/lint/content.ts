import { recoverFrontMatter } from '../render/frontmatter.js'
import type { Diagnostic } from '../util/diagnostics.js'
import type { RenderedDeck } from '../render/render.js'
import { sourceComments } from './comments.js'

/*
 * Lint rules that need only the Markdown and the render's facts: empty list items, empty
 * slides, skipped heading levels, unknown directives. They run after every render, so the build
 * prints them too; render.ts already reports front matter, directive values, themes, images and
 * code languages.
 */

/** Directives of Marpit, marp-core and marp-cli (global and local). */
export const KNOWN_DIRECTIVES: ReadonlySet<string> = new Set([
  // global
  'theme',
  'style',
  'headingDivider',
  'lang',
  'size',
  'math',
  'marp',
  // marp-cli metadata
  'title',
  'description',
  'author',
  'image',
  'keywords',
  'url',
  // local (also allowed in the front matter, as defaults)
  'paginate',
  'header',
  'footer',
  'class',
  'color',
  'transition',
  'backgroundColor',
  'backgroundImage',
  'backgroundPosition',
  'backgroundRepeat',
  'backgroundSize',
])

/** Keys of the theme CSS header comment, which authors often put in the Markdown by mistake. */
const THEME_METADATA = /^@([\w-]+)\b/

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i += 1) {
    let diag = prev[0]!
    prev[0] = i
    for (let j = 1; j <= b.length; j += 1) {
      const up = prev[j]!
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = up
    }
  }
  return prev[b.length]!
}

/** The known directive a key was probably meant to be, if any. */
export function nearestDirective(key: string): string | undefined {
  const k = key.toLowerCase()
  let best: { name: string; d: number } | undefined
  for (const name of KNOWN_DIRECTIVES) {
    const d = editDistance(k, name.toLowerCase())
    if (d <= (name.length > 5 ? 2 : 1) && (!best || d < best.d)) best = { name, d }
  }
  return best?.name
}

export function checkEmptyListItems(deck: RenderedDeck): Diagnostic[] {
  return deck.facts.emptyListItems.map((item) => ({
    rule: 'empty-list-item',
    severity: 'warning' as const,
    file: deck.file,
    line: item.line,
    slide: item.slide,
    message: 'empty list item: the bullet has no text, so the slide shows a lone marker',
    hint: 'Write the item or delete the line.',
  }))
}

const RULE_LINE = /^ {0,3}([-*_])[ \t]*(?:\1[ \t]*){2,}$/

/** Slides with nothing to show: only the separator, comments and blank lines. */
export function checkEmptySlides(deck: RenderedDeck): Diagnostic[] {
  const lines = deck.markdown.split('\n')
  const slides = deck.facts.slides
  const out: Diagnostic[] = []
  // The front matter is not slide content.
  let frontMatterEnd = 0
  if (/^---[ \t]*$/.test(lines[0] ?? '')) {
    const close = lines.findIndex((l, i) => i > 0 && /^---[ \t]*$/.test(l))
    if (close > 0) frontMatterEnd = close + 1
  }
  slides.forEach((s, i) => {
    const from = Math.max(s.line, frontMatterEnd + 1)
    const to = i + 1 < slides.length ? slides[i + 1]!.line - 1 : lines.length
    const body = lines.slice(from - 1, to)
    if (i > 0 && s.line > frontMatterEnd && RULE_LINE.test(body[0] ?? '')) body.shift()
    const text = body
      .join('\n')
      .replace(/<!--[\s\S]*?-->/g, '')
      .trim()
    if (text) return
    out.push({
      rule: 'empty-slide',
      severity: 'warning',
      file: deck.file,
      line: s.line,
      slide: s.slide,
      message: `slide ${s.slide} is empty`,
      hint: 'Delete the extra `---` (a separator at the end of the deck or two in a row makes an empty slide), or add content.',
    })
  })
  return out
}

/** A heading more than one level below the previous heading of the deck, as markdownlint MD001. */
export function checkHeadingLevels(deck: RenderedDeck): Diagnostic[] {
  const out: Diagnostic[] = []
  let previous = 0
  for (const h of deck.facts.headings) {
    if (previous && h.level > previous + 1) {
      out.push({
        rule: 'heading-skip',
        severity: 'warning',
        file: deck.file,
        line: h.line,
        slide: h.slide,
        message: `heading level skipped: \`${'#'.repeat(h.level)} ${h.text}\` follows a level-${previous} heading`,
        hint: `Use \`${'#'.repeat(previous + 1)}\`, or style the heading with a class instead of its level.`,
      })
    }
    previous = h.level
  }
  return out
}

function metadataFinding(deck: RenderedDeck, key: string, line: number, slide: number): Diagnostic {
  return {
    rule: 'unknown-directive',
    severity: 'warning',
    file: deck.file,
    line,
    slide,
    message: `\`@${key}\` is theme CSS metadata, not a directive: in a Markdown comment Marp ignores it (it becomes a speaker note)`,
    hint: `Put \`@${key}\` in the header comment of the theme CSS (\`/* @theme … @${key} … */\`) and delete it here.`,
  }
}

export function checkDirectives(deck: RenderedDeck): Diagnostic[] {
  const out: Diagnostic[] = []
  // Front matter: every key is meant as a directive. Keys starting with "@" are not valid YAML
  // and are reported by the front-matter rule already.
  const fm = recoverFrontMatter(deck.markdown)
  for (const [key, line] of fm.keyLines) {
    if (key.startsWith('@') || KNOWN_DIRECTIVES.has(key) || !(key in fm.data)) continue
    const near = nearestDirective(key)
    out.push({
      rule: 'unknown-directive',
      severity: 'warning',
      file: deck.file,
      line,
      slide: 1,
      message: `\`${key}\` in the front matter is not a Marp directive, so Marp ignores it${near ? `; did you mean \`${near}\`?` : ''}`,
      hint: near ? `Rename it to \`${near}\`.` : 'Remove it, or turn the rule off in deck.config.json if another tool reads it.',
    })
  }
  // Comments: a comment that parses as YAML is a directive only if Marp knows its keys; otherwise
  // it is a speaker note ("Note: …"). Flag only keys that were clearly meant as directives: a
  // scoped `_key`, or a near miss of a known name.
  for (const d of deck.facts.directives) {
    const key = d.key.replace(/^_/, '')
    if (KNOWN_DIRECTIVES.has(key)) continue
    const near = nearestDirective(key)
    if (!near && !d.key.startsWith('_')) continue
    out.push({
      rule: 'unknown-directive',
      severity: 'warning',
      file: deck.file,
      line: d.line,
      slide: d.slide,
      message: `\`${d.key}\` is not a Marp directive, so Marp ignores it${near ? `; did you mean \`${d.key.startsWith('_') ? '_' : ''}${near}\`?` : ''}`,
      hint: near ? `Rename it to \`${near}\`.` : `Known directives: ${[...KNOWN_DIRECTIVES].join(', ')}.`,
    })
  }
  for (const c of sourceComments(deck.markdown, deck.facts)) {
    const m = THEME_METADATA.exec(c.text)
    if (m) out.push(metadataFinding(deck, m[1]!, c.line, c.slide))
  }
  return out
}

export function checkContent(deck: RenderedDeck): Diagnostic[] {
  return [...checkDirectives(deck), ...checkEmptyListItems(deck), ...checkEmptySlides(deck), ...checkHeadingLevels(deck)]
}
