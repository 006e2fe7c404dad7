import type { Diagnostic } from '../util/diagnostics.js'
import type { RenderedDeck } from '../render/render.js'
import { slideOfLine } from '../render/slides.js'
import { sourceComments } from './comments.js'
import type { LintConfig } from './config.js'
import { isRuleId, RULE_IDS } from './rules.js'

/*
 * Turning rules off. Per project: `deck.config.json` `lint.rules` (`"off"` or a severity). Per
 * slide: `<!-- lint disable overflow contrast -->` anywhere on the slide (no rule names: every
 * rule). We use remark-lint's `lint disable` wording because Marpit already recognises it as a
 * magic comment and keeps it out of the speaker notes; any other comment would end up in the
 * PDF notes and the PPTX.
 */

const SWITCH = /^lint\s+disable\b(.*)$/s

export interface SlideSwitches {
  /** Slide number → rules off on that slide ('*' for all). */
  off: Map<number, Set<string>>
  /** Switches naming rules that do not exist: reported so a typo does not silently do nothing. */
  problems: Diagnostic[]
}

export function slideSwitches(deck: RenderedDeck): SlideSwitches {
  const off = new Map<number, Set<string>>()
  const problems: Diagnostic[] = []
  for (const c of sourceComments(deck.markdown, deck.facts)) {
    const m = SWITCH.exec(c.text)
    if (!m) continue
    const names = (m[1] ?? '').split(/[\s,]+/).filter(Boolean)
    const set = off.get(c.slide) ?? new Set<string>()
    off.set(c.slide, set)
    if (names.length === 0) set.add('*')
    for (const name of names) {
      if (isRuleId(name)) set.add(name)
      else {
        problems.push({
          rule: 'unknown-directive',
          severity: 'warning',
          file: deck.file,
          line: c.line,
          slide: c.slide,
          message: `\`lint disable\` names an unknown rule \`${name}\`, so nothing is turned off for it`,
          hint: `Rule ids: ${RULE_IDS.join(', ')}.`,
        })
      }
    }
  }
  return { off, problems }
}

/**
 * Apply the project's rule settings and the deck's slide switches to a list of findings: drop
 * what is off, set the configured severity. Findings without a slide are placed by their line.
 */
export function reviewFindings(deck: RenderedDeck, list: Diagnostic[], config: LintConfig): Diagnostic[] {
  const { off, problems } = slideSwitches(deck)
  const out: Diagnostic[] = []
  const seen = new Set<string>()
  for (const d of [...list, ...problems]) {
    const setting = config.rules[d.rule]
    if (setting === 'off') continue
    const slide = d.slide ?? (d.line !== undefined && d.file === deck.file ? slideOfLine(deck.facts, d.line) : undefined)
    const switched = slide !== undefined ? off.get(slide) : undefined
    if (switched && (switched.has('*') || switched.has(d.rule))) continue
    // The build can review the same list twice (render diagnostics, then page checks): keep one.
    const key = `${d.rule}\u0000${d.line ?? ''}\u0000${d.slide ?? ''}\u0000${d.message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(setting ? { ...d, severity: setting } : d)
  }
  return out
}
