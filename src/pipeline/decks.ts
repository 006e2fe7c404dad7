import { createHash } from 'node:crypto'
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Shard } from '../config/shard.js'
import type { DeckResult } from './types.js'
import { relativePath } from '../util/diagnostics.js'
import { DeckError, ExitCode } from '../util/errors.js'

/** Decks to build: files, or folders searched for `*.md` (recursively); relative ones start at `base`. */
export async function findDecks(inputs: string[], base: string): Promise<string[]> {
  const out = new Set<string>()
  for (const input of inputs) {
    const abs = path.resolve(base, input)
    const info = await stat(abs).catch(() => null)
    if (!info) {
      throw new DeckError(`no such deck or folder: ${relativePath(abs, base)}`, {
        code: ExitCode.USAGE,
        hint: 'Name Markdown files or folders; with no argument every deck in slides/ is built.',
      })
    }
    if (info.isFile()) {
      out.add(abs)
      continue
    }
    const entries = await readdir(abs, { recursive: true, withFileTypes: true })
    for (const e of entries) {
      const parent = e.parentPath ?? abs
      const rel = path.relative(abs, path.join(parent, e.name))
      if (e.isFile() && e.name.endsWith('.md') && !rel.split(path.sep).some((p) => p.startsWith('.') || p === 'node_modules')) {
        out.add(path.join(parent, e.name))
      }
    }
  }
  return [...out].sort()
}

/**
 * The decks of one shard: a deck is in part `1 + h mod total`, `h` the first 32 bits of the
 * sha256 of its path relative to the project root (with `/`), so the split is the same on any
 * machine and a deck added or removed moves no other deck.
 */
export function shardOf(decks: readonly string[], root: string, shard: Shard): string[] {
  return decks.filter((file) => {
    const rel = path.relative(root, file).split(path.sep).join('/')
    return createHash('sha256').update(rel).digest().readUInt32BE(0) % shard.total === shard.index - 1
  })
}

/**
 * Run `job` over the decks, two at a time: one renders on this thread while the other is in
 * Chromium, which keeps both cores busy. Results come back in the decks' order.
 */
export async function forEachDeck(decks: string[], job: (file: string) => Promise<DeckResult>, concurrency = 2): Promise<DeckResult[]> {
  const results: DeckResult[] = new Array(decks.length)
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < decks.length; i = next++) results[i] = await job(decks[i]!)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, decks.length) }, worker))
  return results
}
