import { relativePath } from '../util/diagnostics.js'
import { DeckError, isDeckError } from '../util/errors.js'
import type { ThemeRegistry } from './themes.js'

/*
 * A broken theme fails only the decks that use it, and its error says where on both ends: the
 * deck's `theme:` line (the error's location) and the CSS file and line PostCSS gives.
 */

/** `css/x.css:4:7: Unknown word x` from PostCSS's error (its line is in the CSS file). */
function cssProblem(file: string, e: unknown, root: string): string {
  const css = e as { reason?: unknown; line?: unknown; column?: unknown; message?: unknown }
  const at = typeof css.line === 'number' ? `:${css.line}${typeof css.column === 'number' ? `:${css.column}` : ''}` : ''
  const why = typeof css.reason === 'string' ? css.reason : typeof css.message === 'string' ? css.message : String(e)
  return `${relativePath(file, root)}${at}: ${why}`
}

export interface BrokenTheme {
  deck: string
  /** The deck's `theme:` line. */
  line: number | undefined
  theme: { name: string; file?: string }
  /** The theme file Marp could not parse: the deck's theme or one it imports. */
  bad: string
  error: unknown
  themes: ThemeRegistry
}

export function brokenThemeError({ deck, line, theme, bad, error, themes }: BrokenTheme): DeckError {
  const root = themes.projectRoot
  const via = bad === theme.file ? '' : ` imports \`${themes.fileEntry(bad)?.name ?? bad}\`, which`
  return new DeckError(`theme \`${theme.name}\`${via} cannot be parsed (${cssProblem(bad, error, root)}), so the deck was not rendered`, {
    location: { file: deck, ...(line ? { line } : {}) },
    hint: `Fix the CSS of ${relativePath(bad, root)}; decks on other themes still build, and this deck's last good outputs are kept.`,
    cause: error,
  })
}

/** A theme file the deck names that cannot be loaded (no @theme name): the error names the deck's line too. */
export function themeLoadError(e: unknown, deck: string, value: string, line: number | undefined, root: string): unknown {
  if (!isDeckError(e) || !e.location || e.location.file === deck) return e
  return new DeckError(`theme \`${value}\` cannot be loaded: ${relativePath(e.location.file, root)}: ${e.message}`, {
    code: e.code,
    location: { file: deck, ...(line ? { line } : {}) },
    ...(e.hint ? { hint: e.hint } : {}),
    cause: e,
  })
}
