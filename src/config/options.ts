import { DeckError, ExitCode } from '../util/errors.js'

/** Output formats; defined here, apart from the pipeline, so the CLI can parse flags without loading it. */
export const FORMATS = ['html', 'pdf', 'pptx', 'png', 'handout', 'notes'] as const
export type Format = (typeof FORMATS)[number]

/** How the PPTX is made: rebuilt as editable shapes, or one picture per slide. */
export const PPTX_MODES = ['editable', 'picture'] as const
export type PptxMode = (typeof PPTX_MODES)[number]

/** Everything but the HTML deck and the notes export is made in Chromium. */
export const needsBrowser = (formats: readonly Format[]): boolean => formats.some((f) => f !== 'html' && f !== 'notes')

/** Paper sizes of the handout PDF. */
export const HANDOUT_PAPERS = ['a4', 'letter'] as const
export type HandoutPaper = (typeof HANDOUT_PAPERS)[number]
/** Slides on each page of the handout PDF. */
export const HANDOUT_LAYOUTS = [1, 2, 3, 4, 6] as const
export type HandoutLayout = (typeof HANDOUT_LAYOUTS)[number]

/** Territories whose paper is US Letter: CLDR's `paperSize` data (BZ CA CL CO CR GT MX NI PA PH PR SV US VE). */
const LETTER_TERRITORIES = new Set(['US', 'PR', 'CA', 'MX', 'BZ', 'CL', 'CO', 'CR', 'GT', 'NI', 'PA', 'PH', 'SV', 'VE'])

/**
 * The handout's paper when neither a flag nor the config names one: from the locale, as a
 * system's own paper setting would be. The first of LC_ALL, LC_PAPER and LANG that is set
 * decides (POSIX's order: LC_ALL overrides every category); its territory (`en_US.UTF-8` → `US`) prints on Letter in the Americas (see
 * LETTER_TERRITORIES), on A4 elsewhere, and A4 when no locale names one (`C`, `POSIX`).
 */
export function paperFromLocale(env: NodeJS.ProcessEnv = process.env): HandoutPaper {
  const locale = [env['LC_ALL'], env['LC_PAPER'], env['LANG']].find((v) => v !== undefined && v !== '')
  const territory = locale ? /^[a-z]{2,3}[_-]([A-Za-z]{2})\b/i.exec(locale)?.[1]?.toUpperCase() : undefined
  return territory && LETTER_TERRITORIES.has(territory) ? 'letter' : 'a4'
}

/**
 * Defaults and validation for the options the CLI collects. Every option has a default here and
 * a line in `deck --help` and the README.
 */
export const DEFAULTS = {
  outDir: 'dist',
  formats: ['html', 'pdf', 'pptx'] as Format[],
  imageScale: 1,
  pptxMode: 'editable' as PptxMode,
  remoteTimeoutMs: 5000,
  /** --max-remote-size, in MB. */
  maxRemoteMb: 20,
  browserTimeoutMs: 30_000,
  handoutLayout: 1 as HandoutLayout,
} as const

/**
 * The last second a PPTX can carry: a PPTX is a zip, whose entry dates (MS-DOS format) count
 * years from 1980 in 7 bits, so they end with 2107. PDF dates (four-digit years) reach further.
 */
export const LAST_EPOCH = Date.UTC(2107, 11, 31, 23, 59, 59) / 1000

/**
 * SOURCE_DATE_EPOCH (seconds) when set, else a fixed date: outputs never depend on the clock.
 * The reproducible-builds definition: a non-negative integer; anything else is a usage error,
 * as is a date no PPTX can hold. Dates from 1970 to 1979 are kept: the PDF and the PPTX
 * properties carry them, and the zip entries are stamped 1980-01-01, their format's first day.
 */
export function buildDate(env = process.env): Date {
  const value = env['SOURCE_DATE_EPOCH']
  if (value === undefined || value === '') return new Date('2000-01-01T00:00:00Z')
  const epoch = /^\d+$/.test(value) ? Number(value) : NaN
  if (Number.isNaN(epoch) || epoch > LAST_EPOCH) {
    throw new DeckError(
      `SOURCE_DATE_EPOCH must be a whole number of seconds from 0 to ${LAST_EPOCH} (1970-01-01 to 2107-12-31 UTC), got "${value}"`,
      {
        code: ExitCode.USAGE,
        hint:
          `It dates the PDF and the PPTX. A PPTX is a zip, and zip dates end with 2107 (${LAST_EPOCH} is ` +
          `2107-12-31T23:59:59Z). Set it to e.g. $(git log -1 --format=%ct), or unset it for the fixed date 2000-01-01.`,
      },
    )
  }
  return new Date(epoch * 1000)
}

export function parseFormats(value: string | undefined): Format[] {
  if (!value) return [...DEFAULTS.formats]
  const list = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
  const bad = list.filter((f) => !(FORMATS as readonly string[]).includes(f))
  if (bad.length || list.length === 0) {
    throw new DeckError(`unknown format: ${bad.join(', ') || '(empty)'}`, {
      code: ExitCode.USAGE,
      hint: `--format takes a comma-separated list of ${FORMATS.join(', ')}.`,
    })
  }
  return [...new Set(list)] as Format[]
}

export function parsePositiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) {
    throw new DeckError(`${name} must be a positive number, got "${value}"`, {
      code: ExitCode.USAGE,
      hint: `For example ${name} ${fallback || 1}.`,
    })
  }
  return n
}

/** --handout-paper: a4 or letter, in any case. */
export function parseHandoutPaper(value: string): HandoutPaper {
  const paper = value.trim().toLowerCase()
  if ((HANDOUT_PAPERS as readonly string[]).includes(paper)) return paper as HandoutPaper
  throw new DeckError(`--handout-paper must be ${HANDOUT_PAPERS.join(' or ')}, got "${value}"`, {
    code: ExitCode.USAGE,
    hint: 'For example --handout-paper a4 (default: from the locale, LC_ALL, LC_PAPER or LANG).',
  })
}

/** --handout-layout: 1, 2, 3, 4 or 6 slides a page. */
export function parseHandoutLayout(value: string): HandoutLayout {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN
  if ((HANDOUT_LAYOUTS as readonly number[]).includes(n)) return n as HandoutLayout
  throw new DeckError(`--handout-layout must be one of ${HANDOUT_LAYOUTS.join(', ')} (slides a page), got "${value}"`, {
    code: ExitCode.USAGE,
    hint: 'For example --handout-layout 3: three slides a page with their notes and lines to write on.',
  })
}
