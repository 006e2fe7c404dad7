/**
 * What every bench section receives. Sections that need none of it may ignore it (a
 * `runWatchBench(): Promise<string>` fits `BenchSection`).
 */
export interface BenchOptions {
  /** Runs per tool and deck from --runs; undefined lets each section pick its own default. */
  runs?: number
  /** --quick: one run and a small generated deck, to check the bench itself works. */
  quick: boolean
  /** Slides of the generated deck (--slides; 200 by default, 40 with --quick). */
  slides: number
  /** Progress lines go to stderr so stdout holds only the Markdown report. */
  log: (line: string) => void
}

/** A bench section returns Markdown (tables and notes) for the report. */
export type BenchSection = (options: BenchOptions) => Promise<string>

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export const seconds = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '—')
export const megabytes = (bytes: number): string => (Number.isFinite(bytes) && bytes > 0 ? `${Math.round(bytes / 2 ** 20)}` : '—')

/** A Markdown table; numbers are formatted by the caller. */
export function table(header: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const sep = header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'))
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')
}
