import { access } from 'node:fs/promises'
import path from 'node:path'

/** Names of the project config, in the order they are looked for. */
export const DECK_CONFIG_FILES = ['deck.config.json', 'deck.config.js', 'deck.config.mjs', 'deck.config.ts'] as const

/**
 * Where marp-cli looks for its config (cosmiconfig's places for the name `marp`, in its order);
 * `package.json` counts only when it has a `"marp"` key.
 */
export const MARP_CONFIG_FILES = [
  'package.json',
  '.marprc',
  '.marprc.json',
  '.marprc.yaml',
  '.marprc.yml',
  '.marprc.js',
  '.marprc.ts',
  '.marprc.cjs',
  '.marprc.mjs',
  '.config/marprc',
  '.config/marprc.json',
  '.config/marprc.yaml',
  '.config/marprc.yml',
  '.config/marprc.js',
  '.config/marprc.ts',
  '.config/marprc.cjs',
  '.config/marprc.mjs',
  'marp.config.js',
  'marp.config.ts',
  'marp.config.cjs',
  'marp.config.mjs',
] as const

const MARKERS: readonly string[] = [...DECK_CONFIG_FILES, ...MARP_CONFIG_FILES]

export const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  )

/**
 * The project root, found as npm finds a package: the nearest folder from `cwd` upward that has
 * a deck config, a marp-cli config or a `package.json`; `cwd` itself when no folder has one.
 */
export async function findProjectRoot(cwd: string): Promise<string> {
  const start = path.resolve(cwd)
  for (let dir = start; ; dir = path.dirname(dir)) {
    const found = await Promise.all(MARKERS.map((name) => exists(path.join(dir, name))))
    if (found.some(Boolean)) return dir
    if (path.dirname(dir) === dir) return start
  }
}
