import path from 'node:path'
import { DeckError, ExitCode } from '../util/errors.js'
import type { ConfigWarning } from './check.js'
import { mapMarpConfig } from './marp-cli.js'
import { readConfigFile } from './read.js'
import { DECK_CONFIG_FILES, exists, findProjectRoot, MARP_CONFIG_FILES } from './root.js'
import { validateConfig, type CheckedConfig } from './schema.js'

export interface LoadConfigOptions {
  /** Where the command runs; the project root is found from here upward. */
  cwd: string
  /** A config file named on the command line (`--config-file`), relative to `cwd`. */
  configFile?: string
}

export interface LoadedConfig {
  /** The project root (see findProjectRoot). */
  root: string
  /** The config file read, if any. */
  file?: string
  source: 'deck' | 'marp-cli' | 'none'
  /** The checked settings, with every path absolute. */
  config: CheckedConfig
  /** Settings read but not honoured, each naming its key and file. */
  warnings: ConfigWarning[]
}

/** `deck.config.*` is a deck config; any other name given to --config-file is marp-cli's. */
const isDeckConfig = (file: string): boolean => /^deck\.config\.[cm]?[jt]s$|^deck\.config\.json$/.test(path.basename(file))

/**
 * The project's settings: `--config-file` when given; else the deck config at the project root;
 * else marp-cli's config there (read in marp-cli's order); else none. Nothing is merged across
 * files: the first one found is the config.
 */
export async function loadConfig({ cwd, configFile }: LoadConfigOptions): Promise<LoadedConfig> {
  const root = await findProjectRoot(cwd)
  if (configFile !== undefined) {
    const file = path.resolve(cwd, configFile)
    if (!(await exists(file))) {
      throw new DeckError(`config file not found: ${configFile}`, {
        code: ExitCode.USAGE,
        hint: `--config-file is relative to the current folder (${cwd}).`,
      })
    }
    return fromFile(root, file, isDeckConfig(file) ? 'deck' : 'marp-cli', [])
  }

  const deckFiles: string[] = []
  for (const name of DECK_CONFIG_FILES) if (await exists(path.join(root, name))) deckFiles.push(path.join(root, name))
  const [deckFile, ...extra] = deckFiles
  if (deckFile) {
    const warnings = extra.map((other): ConfigWarning => ({
      rule: 'config',
      severity: 'warning',
      file: other,
      message: `${path.basename(other)} is not read: ${path.basename(deckFile)} is the project's config`,
      hint: 'Keep one deck config: merge the two and delete this one.',
    }))
    return fromFile(root, deckFile, 'deck', warnings)
  }

  for (const name of MARP_CONFIG_FILES) {
    const file = path.join(root, name)
    if (!(await exists(file))) continue
    const loaded = await fromFile(root, file, 'marp-cli', [], true)
    if (loaded) return loaded
  }
  return { root, source: 'none', config: {}, warnings: [] }
}

async function fromFile(root: string, file: string, source: 'deck' | 'marp-cli', warnings: ConfigWarning[]): Promise<LoadedConfig>
async function fromFile(
  root: string,
  file: string,
  source: 'deck' | 'marp-cli',
  warnings: ConfigWarning[],
  searching: true,
): Promise<LoadedConfig | undefined>
async function fromFile(
  root: string,
  file: string,
  source: 'deck' | 'marp-cli',
  warnings: ConfigWarning[],
  searching = false,
): Promise<LoadedConfig | undefined> {
  const isPackage = path.basename(file) === 'package.json'
  const read = await readConfigFile(file, isPackage && source === 'marp-cli' ? 'marp' : undefined)
  if (!read) {
    if (searching) return undefined
    throw new DeckError('package.json has no "marp" key', {
      code: ExitCode.USAGE,
      location: { file },
      hint: 'Name a config file, or add the marp-cli settings under "marp" in package.json.',
    })
  }
  const dir = path.dirname(file)
  if (source === 'deck') {
    return { root, file, source, config: resolvePaths(validateConfig(read.value, file, read.lineOf), dir), warnings }
  }
  const mapped = mapMarpConfig(read.value, file, read.lineOf)
  return { root, file, source, config: resolvePaths(mapped.config, dir), warnings: [...warnings, ...mapped.warnings] }
}

/** A URL (`https:`, `data:`, `//host`) rather than a file. */
const isUrl = (s: string): boolean => (/^[a-z][a-z\d+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s)) || s.startsWith('//')

/** Paths in a config are relative to the config file's folder, as marp-cli reads its own. */
export function resolvePaths(config: CheckedConfig, dir: string): CheckedConfig {
  const abs = (p: string) => path.resolve(dir, p)
  const out: CheckedConfig = { ...config }
  if (config.inputDir !== undefined) out.inputDir = abs(config.inputDir)
  if (config.decks) out.decks = config.decks.map(abs)
  if (config.out !== undefined) out.out = abs(config.out)
  if (config.themeSet) out.themeSet = config.themeSet.map(abs)
  if (config.browserPath !== undefined) out.browserPath = abs(config.browserPath)
  if (config.cacheDir !== undefined) out.cacheDir = abs(config.cacheDir)
  // A theme is a name unless it names a CSS file.
  if (config.theme !== undefined && /\.css$/i.test(config.theme)) out.theme = abs(config.theme)
  if (config.image !== undefined && !isUrl(config.image)) out.image = abs(config.image)
  return out
}
