import path from 'node:path'
import type { ConfigWarning } from '../config/check.js'
import { loadConfig, resolvePaths } from '../config/load.js'
import { applyConfig, type ResolvedConfig } from '../config/merge.js'
import { buildDate } from '../config/options.js'
import { CONFIG_DEFAULTS, validateConfig, type CheckedConfig, type DeckConfig } from '../config/schema.js'
import type { BuildOptions } from './types.js'
import type { EventHandler } from './events.js'

/**
 * The one precedence chain: the caller's options (the CLI's flags, or an API call) over the
 * project's config file over the defaults. Paths in options are relative to `cwd`; paths in the
 * config file to the file's folder.
 */
export interface DeckOptions extends DeckConfig {
  /** Where relative paths in these options start, and where the project root is looked for. Default `process.cwd()`. */
  cwd?: string
  /** A config file to read instead of looking for one (`--config-file`), or `false` to read none. */
  configFile?: string | false
  /** Progress: outputs, findings and errors as they happen. */
  onEvent?: EventHandler
}

export interface Settings {
  /** The project root: the nearest folder upward with a deck config, a marp-cli config or a package.json. */
  root: string
  /** The config file read, if any. */
  configFile?: string
  resolved: ResolvedConfig
  build: BuildOptions
  warnings: ConfigWarning[]
}

const OWN_KEYS = ['cwd', 'configFile', 'onEvent'] as const

/** The config keys of `options` (unset ones dropped), checked like a config file and made absolute. */
function optionsAsConfig(options: DeckOptions, cwd: string): CheckedConfig {
  const given: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && !(OWN_KEYS as readonly string[]).includes(key)) given[key] = value
  }
  return resolvePaths(validateConfig(given, 'options'), cwd)
}

/**
 * `over` wins key by key; the nested `watch` and `lint` settings merge one level down (lint's
 * `rules` one more), taking from `over.lint` only the keys the caller gave.
 */
function layer(under: CheckedConfig, over: CheckedConfig, lintKeys: readonly string[]): CheckedConfig {
  const merged: CheckedConfig = { ...under, ...over }
  if (under.watch || over.watch) merged.watch = { ...under.watch, ...over.watch }
  if (under.handout || over.handout) merged.handout = { ...under.handout, ...over.handout }
  if (over.lint) {
    const base = under.lint ?? CONFIG_DEFAULTS.lint
    const given = Object.fromEntries(Object.entries(over.lint).filter(([k]) => lintKeys.includes(k)))
    merged.lint = { ...base, ...given, rules: { ...base.rules, ...(lintKeys.includes('rules') ? over.lint.rules : {}) } }
  }
  // An input folder given over a config that lists its decks replaces those decks.
  if (over.inputDir !== undefined && over.decks === undefined) delete merged.decks
  return merged
}

export async function resolveSettings(options: DeckOptions): Promise<Settings> {
  const cwd = path.resolve(options.cwd ?? process.cwd())
  const overrides = optionsAsConfig(options, cwd)
  const loaded =
    options.configFile === false ? undefined : await loadConfig({ cwd, ...(options.configFile ? { configFile: options.configFile } : {}) })
  const root = loaded?.root ?? cwd
  const resolved = applyConfig(layer(loaded?.config ?? {}, overrides, Object.keys(options.lint ?? {})), CONFIG_DEFAULTS, root)
  const build: BuildOptions = {
    root,
    inputDir: resolved.inputDir,
    outDir: resolved.outDir,
    ...(resolved.outFile ? { outFile: resolved.outFile } : {}),
    formats: resolved.formats,
    themeSets: resolved.themeSets,
    html: resolved.html,
    pdfNotes: resolved.pdfNotes,
    imageScale: resolved.imageScale,
    pptxMode: resolved.pptxMode,
    fetchRemote: resolved.fetchRemote,
    remoteTimeoutMs: resolved.remoteTimeoutMs,
    allowLocalFiles: resolved.allowLocalFiles,
    allowPrivateNetwork: resolved.allowPrivateNetwork,
    maxRemoteBytes: resolved.maxRemoteBytes,
    ...(resolved.cacheDir ? { cacheDir: resolved.cacheDir } : {}),
    ...(resolved.browserPath ? { browserPath: resolved.browserPath } : {}),
    browserTimeoutMs: resolved.browserTimeoutMs,
    date: buildDate(),
    metadata: resolved.metadata,
    ...(resolved.theme ? { theme: resolved.theme } : {}),
    ...(resolved.lang ? { lang: resolved.lang } : {}),
    math: resolved.math,
    pdfOutlines: resolved.pdfOutlines,
    handout: resolved.handout,
  }
  return { root, ...(loaded?.file ? { configFile: loaded.file } : {}), resolved, build, warnings: loaded?.warnings ?? [] }
}
