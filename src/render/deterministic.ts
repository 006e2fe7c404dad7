import { createHash } from 'node:crypto'
import type { Marp } from '@marp-team/marp-core'

/*
 * What makes a render depend only on its input: no clock in the highlighting, no chance in the
 * scoped-style ids. DeckMarp (engine.ts) wires both in; every render path (the CLI's worker
 * thread, watch, lint, tests) goes through DeckMarp.
 */

/**
 * shiki stops tokenizing a line after `tokenizeTimeLimit` ms (default 500) and leaves the rest of
 * it plain. A grammar's regexes are compiled on their first use, inside that time, so on a busy
 * machine the first lines of a language can lose their colours. marp-core's shiki plugin calls
 * `codeToHtml` without the option but runs `marp.shikiTransformers` on every call; shiki hands
 * `preprocess` the options object it then tokenizes with, so setting the limit there turns it off
 * (0 means none in shiki's textmate tokenizer). A line still ends: each scan either moves forward
 * or leaves a rule, so the work stays bounded by the line's length.
 */
export const noTokenizeTimeLimit: Marp['shikiTransformers'][number] = {
  name: 'deck:no-tokenize-time-limit',
  preprocess(_code, options) {
    options.tokenizeTimeLimit = 0
  },
}

// The markdown-it surface the scope-id rule needs.
interface SlideToken {
  type: string
  content: string
  meta: Record<string, unknown> | null
  attrSet(name: string, value: string): void
}
interface ScopeState {
  tokens: SlideToken[]
  inlineMode: boolean
}
interface ScopeMarkdownIt {
  core: { ruler: { before(before: string, name: string, fn: (state: ScopeState) => void): void } }
}

/** The attribute Marpit scopes a slide's `<style scoped>` with. */
export const scopeAttribute = (key: string): string => `data-marpit-scope-${key}`

/** A slide's scope key: from its index and its scoped styles, so the same deck gives the same key. */
export function scopeKey(slide: number, styles: readonly string[]): string {
  return createHash('sha256')
    .update(`${slide}\u0000${styles.join('\u0000')}`)
    .digest('hex')
    .slice(0, 8)
}

/**
 * Marpit gives each slide with a `<style scoped>` a random key (`data-marpit-scope-XXXXXXXX`), so
 * the HTML, and the PDF and PPTX made from it, would change on every build. This rule runs just
 * before Marpit's `marpit_style_assign` and gives such slides a key from `scopeKey`; Marpit keeps
 * a key it finds and scopes the styles with it.
 *
 * Leans on @marp-team/marpit 3.2.3 `lib/markdown/style/assign.js`: the rule name, the slide's
 * open token (`meta.marpitSlideElement === 1`, `meta.marpitSlide`), `marpit_style` tokens with
 * `meta.marpitStyleScoped`, and a key read from the slide's `meta.marpitStyleScoped.key` (when it
 * is there Marpit sets no attribute, so this rule does). A renamed rule fails at engine start
 * (markdown-it throws); tests/reliability/determinism.test.ts fails on any other change.
 */
export function stableStyleScopes(md: ScopeMarkdownIt): void {
  md.core.ruler.before('marpit_style_assign', 'deck_style_scope_keys', (state) => {
    if (state.inlineMode) return
    let slide: SlideToken | undefined
    let styles: string[] = []
    for (const token of state.tokens) {
      const element = token.meta?.['marpitSlideElement']
      if (element === 1) {
        slide = token
        styles = []
      } else if (element === -1) {
        if (slide && styles.length) {
          const key = scopeKey(Number(slide.meta?.['marpitSlide'] ?? 0), styles)
          slide.meta = { ...slide.meta, marpitStyleScoped: { key } }
          slide.attrSet(scopeAttribute(key), '')
        }
        slide = undefined
      } else if (slide && token.type === 'marpit_style' && token.meta?.['marpitStyleScoped']) {
        styles.push(token.content)
      }
    }
  })
}
