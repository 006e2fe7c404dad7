import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/*
 * This package's root, name and version: from the nearest package.json above this module, which
 * is the package's own from `src/util/` (tests), from `lib/src/util/` here and under node_modules.
 */

export interface OwnPackage {
  root: string
  name: string
  version: string
}

let cached: OwnPackage | undefined

export function ownPackage(): OwnPackage {
  if (cached) return cached
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json')
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
      return (cached = { root: dir, name: pkg.name ?? 'marp-deck-pipeline', version: pkg.version ?? '0.0.0' })
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`)
  }
}
