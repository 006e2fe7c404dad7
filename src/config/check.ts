import path from 'node:path'
import { closestMatch } from 'leven'
import type { Diagnostic } from '../util/diagnostics.js'
import { DeckError, ExitCode } from '../util/errors.js'

/** A config setting that is read but not honoured, or honoured differently; printed like a finding. */
export type ConfigWarning = Diagnostic & { rule: 'config'; severity: 'warning' }

/** The line of a key in the config file (`"watch.port"`), when the file's format tells it. */
export type LineOf = (keyPath: string) => number | undefined

export type Raw = Record<string, unknown>

export const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The known key a mistyped one was meant to be: the same name in another case, else the closest
 * by edit distance: one edit for keys of up to three letters, else two or a third of the length.
 */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase()
  const sameCase = known.find((k) => k.toLowerCase() === lower)
  if (sameCase) return sameCase
  const near = closestMatch(
    lower,
    known.map((k) => k.toLowerCase()),
    { maxDistance: key.length <= 3 ? 1 : Math.max(2, Math.floor(key.length / 3)) },
  )
  return near === undefined ? undefined : known.find((k) => k.toLowerCase() === near)
}

/**
 * Reads the raw values of one config file with their key paths, so that every wrong value is one
 * usage error naming the file, the line when known, the key and what it takes.
 */
export class ConfigChecker {
  constructor(
    readonly file: string,
    private readonly lineOf: LineOf = () => undefined,
  ) {}

  get name(): string {
    return path.basename(this.file)
  }

  error(keyPath: string, message: string, hint: string): DeckError {
    const line = keyPath ? this.lineOf(keyPath) : undefined
    return new DeckError(message, { code: ExitCode.USAGE, location: { file: this.file, ...(line ? { line } : {}) }, hint })
  }

  warning(keyPath: string, message: string, hint: string): ConfigWarning {
    const line = this.lineOf(keyPath)
    return { rule: 'config', severity: 'warning', file: this.file, ...(line ? { line } : {}), message, hint }
  }

  /** `"key" must be <what>`, with a hint that shows a valid value. */
  mustBe(keyPath: string, what: string, example?: string): DeckError {
    const hint = example
      ? `For example ${example}; or remove "${keyPath}" for the default.`
      : `Fix "${keyPath}" in ${this.name}, or remove it for the default.`
    return this.error(keyPath, `"${keyPath}" must be ${what}`, hint)
  }

  /** Throws on the first key not in `known`, with the likely meant one; `aliases` name keys of other tools. */
  onlyKeys(obj: Raw, known: readonly string[], prefix = '', aliases: Readonly<Record<string, string>> = {}): void {
    for (const key of Object.keys(obj)) {
      if (known.includes(key)) continue
      const keyPath = prefix + key
      const near = aliases[key] ?? suggestKey(key, known)
      const list = `${prefix ? `"${prefix.slice(0, -1)}" takes` : 'Keys are'}: ${known.join(', ')}.`
      throw this.error(keyPath, `unknown key "${keyPath}"`, near ? `Did you mean "${prefix}${near}"? ${list}` : list)
    }
  }

  object(obj: Raw, key: string, prefix = ''): Raw | undefined {
    const v = obj[key]
    if (v === undefined) return undefined
    if (!isObject(v)) throw this.mustBe(prefix + key, 'an object')
    return v
  }

  boolean(obj: Raw, key: string, prefix = ''): boolean | undefined {
    const v = obj[key]
    if (v === undefined || typeof v === 'boolean') return v
    throw this.mustBe(prefix + key, 'true or false', `"${key}": true`)
  }

  string(obj: Raw, key: string, prefix = '', example?: string): string | undefined {
    const v = obj[key]
    if (v === undefined) return undefined
    if (typeof v !== 'string' || v.trim() === '') throw this.mustBe(prefix + key, 'a non-empty string', example)
    return v
  }

  positive(obj: Raw, key: string, unit: string, prefix = ''): number | undefined {
    const v = obj[key]
    if (v === undefined) return undefined
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw this.mustBe(prefix + key, `a positive number (${unit})`)
    return v
  }

  /** A string or a list of strings, as a list. */
  strings(obj: Raw, key: string, prefix = '', example?: string): string[] | undefined {
    const v = obj[key]
    if (v === undefined) return undefined
    const list = typeof v === 'string' ? [v] : v
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || s.trim() === '')) {
      throw this.mustBe(prefix + key, 'a string or a list of strings', example)
    }
    return list as string[]
  }

  /** Keywords: a list, or one comma-separated string, as marp-cli takes them; without repeats. */
  keywords(obj: Raw, key: string, prefix = ''): string[] | undefined {
    const list = this.strings(obj, key, prefix, `"${key}": ["kubernetes", "networking"]`)
    if (!list) return undefined
    const items = typeof obj[key] === 'string' ? list[0]!.split(',') : list
    return [...new Set(items.map((s) => s.trim()).filter(Boolean))]
  }

  /** An absolute URL (`https://…`), as the canonical link needs. */
  url(obj: Raw, key: string, prefix = ''): string | undefined {
    const v = this.string(obj, key, prefix)
    if (v !== undefined && !URL.canParse(v)) throw this.mustBe(prefix + key, 'an absolute URL', `"${key}": "https://example.com/talk/"`)
    return v
  }
}
