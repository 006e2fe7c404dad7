import type { Builder } from '../pipeline/builder.js'
import type { DeckResult } from '../pipeline/types.js'
import type { Diagnostic } from '../util/diagnostics.js'
import { pageChecks } from './browser-rules.js'
import { LINT_DEFAULTS, type LintConfig } from './config.js'
import { checkContent } from './content.js'
import { reviewFindings } from './suppress.js'

/*
 * Lint, wired into a Builder: content rules after every render, browser rules in the print page
 * every build already loads, and the project's and slides' switches over all findings. The build
 * command, `deck lint` and watch mode all install it the same way, so they report the same.
 */

export { RULES, RULE_IDS, type RuleId } from './rules.js'
export type { LintConfig } from './config.js'

export function installLint(builder: Builder, cfg: LintConfig = LINT_DEFAULTS): LintConfig {
  builder.deckChecks.push(checkContent)
  builder.pageChecks.push(...pageChecks({ minCodeFontPx: cfg.minCodeFontPx }))
  builder.review = (deck, list) => reviewFindings(deck, list, cfg)
  return cfg
}

/** Slide numbers with an `overflow` or `code-size` finding, for badges in the preview. */
export function overflowingSlides(result: Pick<DeckResult, 'diagnostics'>): number[] {
  const slides = new Set<number>()
  for (const d of result.diagnostics) if ((d.rule === 'overflow' || d.rule === 'code-size') && d.slide) slides.add(d.slide)
  return [...slides].sort((a, b) => a - b)
}

/** Findings per slide (0 for those about the whole deck), for an overlay listing them by slide. */
export function findingsBySlide(list: Diagnostic[]): Map<number, Diagnostic[]> {
  const out = new Map<number, Diagnostic[]>()
  for (const d of list) out.set(d.slide ?? 0, [...(out.get(d.slide ?? 0) ?? []), d])
  return out
}
