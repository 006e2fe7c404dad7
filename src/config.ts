import path from 'node:path'
import type { BuildOptions } from './build.js'
import { DeckError, ExitCode } from './errors.js'

/** Output formats; defined here (not in build.ts) so the CLI can parse flags without loading the pipeline. */
export const FORMATS = ['html', 'pdf', 'pptx', 'png'] as const
export type Format = (typeof FORMATS)[number]

/** Everything but HTML is made in Chromium. */
export const needsBrowser = (formats: readonly Format[]): boolean => formats.some((f) => f !== 'html')

/**
 * Defaults and validation for the options the CLI collects. Every option has a default here and
 * a line in `deck --help` and the README.
 */
export const DEFAULTS = {
  outDir: 'dist',
  formats: ['html', 'pdf', 'pptx'] as Format[],
  imageScale: 1,
  remoteTimeoutMs: 5000,
  browserTimeoutMs: 30_000,
} as const

/** SOURCE_DATE_EPOCH (seconds) when set, else a fixed date: outputs never depend on the clock. */
export function buildDate(env = process.env): Date {
  const epoch = Number(env['SOURCE_DATE_EPOCH'])
  return Number.isFinite(epoch) && env['SOURCE_DATE_EPOCH'] ? new Date(epoch * 1000) : new Date('2000-01-01T00:00:00Z')
}

export function parseFormats(value: string | undefined): Format[] {
  if (!value) return [...DEFAULTS.formats]
  const list = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
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
    throw new DeckError(`${name} must be a positive number, got "${value}"`, { code: ExitCode.USAGE })
  }
  return n
}

export interface CliBuildValues {
  out?: string
  format?: string
  'theme-set'?: string[]
  html?: boolean
  'pdf-notes'?: boolean
  'image-scale'?: string
  offline?: boolean
  'remote-timeout'?: string
  'browser-path'?: string
  'browser-timeout'?: string
}

/** Every build option at its default, for a project at `root`; tests and benches start here. */
export function defaultBuildOptions(root: string, overrides: Partial<BuildOptions> = {}): BuildOptions {
  return {
    root,
    outDir: path.resolve(root, DEFAULTS.outDir),
    formats: [...DEFAULTS.formats],
    themeSets: [],
    html: false,
    pdfNotes: false,
    imageScale: DEFAULTS.imageScale,
    fetchRemote: true,
    remoteTimeoutMs: DEFAULTS.remoteTimeoutMs,
    browserTimeoutMs: DEFAULTS.browserTimeoutMs,
    date: buildDate(),
    ...overrides,
  }
}

export function resolveBuildOptions(values: CliBuildValues, root: string): BuildOptions {
  const browserPath = values['browser-path']
  return defaultBuildOptions(root, {
    ...(values.out ? { outDir: path.resolve(root, values.out) } : {}),
    formats: parseFormats(values.format),
    themeSets: values['theme-set'] ?? [],
    html: values.html ?? false,
    pdfNotes: values['pdf-notes'] ?? false,
    imageScale: parsePositiveNumber('--image-scale', values['image-scale'], DEFAULTS.imageScale),
    fetchRemote: !(values.offline ?? false),
    remoteTimeoutMs: parsePositiveNumber('--remote-timeout', values['remote-timeout'], DEFAULTS.remoteTimeoutMs),
    ...(browserPath ? { browserPath } : {}),
    browserTimeoutMs: parsePositiveNumber('--browser-timeout', values['browser-timeout'], DEFAULTS.browserTimeoutMs / 1000) * 1000,
  })
}
