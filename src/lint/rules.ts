import type { Severity } from '../util/diagnostics.js'

/*
 * Every finding the build and `deck lint` can report, by stable id. The ids are the public
 * interface: they appear in output, in `deck.config.json` and in `<!-- lint disable … -->`
 * comments, so they are never renamed. The README's rules table is this list.
 */

export interface RuleInfo {
  id: string
  /** Where the finding comes from: the Markdown and its render, or the loaded print page. */
  stage: 'render' | 'browser'
  severity: Severity
  summary: string
}

/** Every rule, by stable id; the README's rules table lists the same ids. */
export const RULES = [
  {
    id: 'overflow',
    stage: 'browser',
    severity: 'warning',
    summary: 'Content is cut off at the bottom or right edge of the slide (or inside a clipping box); gives the pixels lost.',
  },
  {
    id: 'code-size',
    stage: 'browser',
    severity: 'warning',
    summary: 'A code block auto-scaled by Marp to an effective font size below `minCodeFontPx` (12 px on a 1280 px wide slide).',
  },
  {
    id: 'contrast',
    stage: 'browser',
    severity: 'warning',
    summary: "Text below WCAG AA contrast against its actual background (axe-core's `color-contrast` rule), per slide and colour pair.",
  },
  {
    id: 'theme-contrast',
    stage: 'browser',
    severity: 'warning',
    summary:
      "Text below WCAG AA whose colours come from a built-in Marp theme (e.g. stock gaia's code blocks), not from the deck: once per deck, so a project can turn just these off.",
  },
  {
    id: 'front-matter',
    stage: 'render',
    severity: 'warning',
    summary:
      'A front matter line that is not valid YAML (Marp would drop the whole front matter), or a front matter never closed after its keys.',
  },
  {
    id: 'unknown-directive',
    stage: 'render',
    severity: 'warning',
    summary: 'A front matter key or comment directive Marp does not know (e.g. `@auto-scaling`, which is theme CSS metadata).',
  },
  {
    id: 'directive-value',
    stage: 'render',
    severity: 'warning',
    summary: 'A directive value of the wrong kind, e.g. `backgroundColor: bg-secondary` (not a colour; did you mean `class:`?).',
  },
  {
    id: 'theme',
    stage: 'render',
    severity: 'warning',
    summary: 'The `theme` does not resolve to a built-in theme or a CSS file; a theme-set CSS file without `@theme`.',
  },
  { id: 'missing-image', stage: 'render', severity: 'warning', summary: 'A local image that does not exist.' },
  {
    id: 'remote-resource',
    stage: 'render',
    severity: 'warning',
    summary:
      "A remote image, a theme's web font or (with --html) a remote iframe that was not embedded: no answer, too large, not the kind asked for, offline and not cached, a private address, or an iframe page (never fetched).",
  },
  {
    id: 'local-file',
    stage: 'render',
    severity: 'warning',
    summary:
      'A local file the deck names that the local-file policy leaves out: outside the project, in /proc, /sys or /dev, or not the image it claims to be.',
  },
  {
    id: 'unclosed-fence',
    stage: 'render',
    severity: 'warning',
    summary: 'A code fence never closed, which shows the rest of the deck (its slide separators too) as code.',
  },
  {
    id: 'encoding',
    stage: 'render',
    severity: 'warning',
    summary: 'Bytes that are not UTF-8 (shown as U+FFFD); gives the byte offset and line.',
  },
  { id: 'math', stage: 'render', severity: 'warning', summary: 'Math KaTeX warns about or cannot parse (shown as red source text).' },
  { id: 'unknown-language', stage: 'render', severity: 'warning', summary: 'A code block language shiki does not know (no highlighting).' },
  { id: 'empty-list-item', stage: 'render', severity: 'warning', summary: 'A bullet with nothing after the marker.' },
  { id: 'empty-slide', stage: 'render', severity: 'warning', summary: 'A slide with no content (often a stray `---`).' },
  {
    id: 'heading-skip',
    stage: 'render',
    severity: 'warning',
    summary: 'A heading more than one level below the previous heading of the deck (e.g. `#` then `###`).',
  },
  {
    id: 'handout',
    stage: 'browser',
    severity: 'warning',
    summary:
      'Speaker notes too long for their place in the handout PDF, even shrunk: cut after their last whole line (builds with `handout` only).',
  },
] as const satisfies readonly RuleInfo[]

export type RuleId = (typeof RULES)[number]['id']

export const RULE_IDS: readonly string[] = RULES.map((r) => r.id)

export const isRuleId = (id: string): id is RuleId => RULE_IDS.includes(id)
