import type { Severity } from '../util/diagnostics.js'
import { DeckError, ExitCode } from '../util/errors.js'
import { isRuleId, RULE_IDS } from './rules.js'

/*
 * Lint settings of a project: the `lint` key of its deck config (`deck.config.{json,js,mjs,ts}`,
 * found and read by config/). Other keys belong to other features and are ignored here. CLI
 * flags and API options win over the file.
 *
 *   { "lint": { "strict": true, "minCodeFontPx": 12, "rules": { "contrast": "off", "overflow": "error" } } }
 */

export const CONFIG_FILE = 'deck.config.json'

export type RuleSetting = Severity | 'off'

export interface LintConfig {
  /** Fail (exit 4) when any finding remains. Default false; `--strict` sets it. */
  strict: boolean
  /** Smallest readable effective code font size, in px on a 1280 px wide slide. Default 12. */
  minCodeFontPx: number
  /** Per rule: `off`, or the severity to report it with. Rules not named keep their default. */
  rules: Partial<Record<string, RuleSetting>>
}

export const LINT_DEFAULTS: LintConfig = { strict: false, minCodeFontPx: 12, rules: {} }

const SETTINGS: readonly string[] = ['off', 'warning', 'error']

function bad(file: string, message: string): DeckError {
  return new DeckError(`${CONFIG_FILE}: ${message}`, {
    code: ExitCode.USAGE,
    location: { file },
    hint: `Rules are ${RULE_IDS.join(', ')}; each takes "off", "warning" or "error".`,
  })
}

/** Validate the `lint` value of the config file; unknown rules and settings are usage errors. */
export function parseLintConfig(value: unknown, file: string): LintConfig {
  if (value === undefined) return { ...LINT_DEFAULTS, rules: {} }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad(file, '"lint" must be an object')
  const raw = value as Record<string, unknown>
  const out: LintConfig = { ...LINT_DEFAULTS, rules: {} }
  if (raw['strict'] !== undefined) {
    if (typeof raw['strict'] !== 'boolean') throw bad(file, '"lint.strict" must be true or false')
    out.strict = raw['strict']
  }
  if (raw['minCodeFontPx'] !== undefined) {
    const n = raw['minCodeFontPx']
    if (typeof n !== 'number' || !(n > 0)) throw bad(file, '"lint.minCodeFontPx" must be a positive number')
    out.minCodeFontPx = n
  }
  const rules = raw['rules']
  if (rules !== undefined) {
    if (!rules || typeof rules !== 'object' || Array.isArray(rules)) throw bad(file, '"lint.rules" must be an object')
    for (const [id, setting] of Object.entries(rules)) {
      if (!isRuleId(id)) throw bad(file, `unknown rule "${id}"`)
      if (typeof setting !== 'string' || !SETTINGS.includes(setting)) throw bad(file, `rule "${id}" must be "off", "warning" or "error"`)
      out.rules[id] = setting as RuleSetting
    }
  }
  return out
}
