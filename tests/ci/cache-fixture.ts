import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { main } from '../../src/cli/main.js'
import { generateDecks } from '../../scripts/gen-decks.js'

// What the build cache, shard and index tests share: a generated project of small decks
// (scripts/gen-decks.ts), the CLI run in this process, and the outputs' change times.

class Capture extends Writable {
  text = ''
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString()
    done()
  }
}

/** `deck <argv>` in `cwd`, in this process: exit code and what it printed. */
export async function deck(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await main(argv, cwd, { stdout, stderr })
  return { code, out: stdout.text, err: stderr.text }
}

/** A temp project of `count` generated decks; `cleanup` removes it. */
export async function deckProject(
  count: number,
  name = 'deck-ci-',
): Promise<{ dir: string; decks: string[]; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), name))
  const decks = await generateDecks(dir, count)
  return { dir, decks, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** The decks (root-relative) a build's output names as built: `slides/x.md => dist/x.html` lines. */
export function builtDecks(err: string): string[] {
  return [...new Set([...err.matchAll(/^(\S+\.md) => /gm)].map((m) => m[1]!))].sort()
}

/** The decks a build's output says are up to date. */
export function upToDateDecks(err: string): string[] {
  return [...err.matchAll(/^(\S+\.md): up to date$/gm)].map((m) => m[1]!).sort()
}

/** Every file under `dir` (relative, `/`) with its modification time in ns. */
export async function mtimes(dir: string): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>()
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue
    const file = path.join(e.parentPath, e.name)
    out.set(path.relative(dir, file).split(path.sep).join('/'), (await stat(file, { bigint: true })).mtimeNs)
  }
  return out
}

/** Files whose change time differs between two `mtimes` (or that appeared). */
export function changed(before: Map<string, bigint>, after: Map<string, bigint>): string[] {
  return [...after]
    .filter(([f, t]) => before.get(f) !== t)
    .map(([f]) => f)
    .sort()
}
