/*
 * The one error type of the project. Every failure that a user can act on is a DeckError with a
 * code from ExitCode; the CLI's outer catch prints its message and returns the code. Anything
 * else is a bug and is rethrown with its stack.
 */

/** What `deck` exits with; a DeckError carries one. */
export const ExitCode = {
  OK: 0,
  /** A deck failed to build (bad input, a browser operation that failed). */
  BUILD_FAILED: 1,
  /** The command line or the config is wrong. */
  USAGE: 2,
  /** No Chromium/Chrome/Edge could be found or launched. */
  NO_BROWSER: 3,
  /** Lint found problems and --strict asked to fail on them. */
  LINT_FAILED: 4,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export interface Location {
  file: string
  /** 1-based line in the file. */
  line?: number
}

export class DeckError extends Error {
  readonly code: ExitCode
  readonly location: Location | undefined
  /** What the user can do about it, printed under the message. */
  readonly hint: string | undefined

  constructor(message: string, opts: { code?: ExitCode; location?: Location; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'DeckError'
    this.code = opts.code ?? ExitCode.BUILD_FAILED
    this.location = opts.location
    this.hint = opts.hint
  }
}

export const isDeckError = (e: unknown): e is DeckError => e instanceof DeckError

/** An error as reports carry it: plain data, with the place and the hint of a DeckError. */
export interface ReportedError {
  message: string
  /** The file and 1-based line the error is about, when known. */
  file?: string
  line?: number
  /** What to do about it. */
  hint?: string
  code: ExitCode
}

/** Any thrown value as a ReportedError; anything but a DeckError is a bug, reported as a failed build. */
export function reportError(e: unknown): ReportedError {
  if (isDeckError(e)) {
    return {
      message: e.message,
      ...(e.location ? { file: e.location.file, ...(e.location.line ? { line: e.location.line } : {}) } : {}),
      ...(e.hint ? { hint: e.hint } : {}),
      code: e.code,
    }
  }
  return { message: e instanceof Error ? e.message : String(e), code: ExitCode.BUILD_FAILED }
}
