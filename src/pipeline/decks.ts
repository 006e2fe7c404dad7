import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { DeckResult } from './builder.js'
import { DeckError, ExitCode, isDeckError } from '../util/errors.js'

/** Decks named on the command line: files, or folders searched for `*.md` (recursively). */
export async function findDecks(inputs: string[], root: string): Promise<string[]> {
  const out = new Set<string>()
  for (const input of inputs) {
    const abs = path.resolve(root, input)
    const info = await stat(abs).catch(() => null)
    if (!info) {
      throw new DeckError(`no such deck or folder: ${input}`, {
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

/** The exit code for decks that failed: no browser (3) when that is why, else 1. */
export function failureCode(results: DeckResult[]): ExitCode {
  const broken = results.filter((r) => r.errors.length > 0)
  if (!broken.length) return ExitCode.OK
  return broken.some((r) => r.errors.some((e) => isDeckError(e) && e.code === ExitCode.NO_BROWSER)) ? ExitCode.NO_BROWSER : ExitCode.BUILD_FAILED
}
