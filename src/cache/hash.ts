import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'

// Content hashes and the stable forms they are taken of: the same inputs give the same hash on
// any machine, so paths are relative to the project root with `/` between their parts.

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** JSON with every object's keys sorted and nothing undefined: one text for one value. */
export function stableJson(value: unknown, indent?: number): string {
  const order = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(order)
    if (v instanceof Date) return v.toISOString()
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, order((v as Record<string, unknown>)[k])]),
      )
    }
    return v
  }
  return JSON.stringify(order(value), null, indent)
}

/** `file` relative to `root`, with `/` separators (`../x` for a file outside it). */
export const toRel = (root: string, file: string): string => path.relative(root, file).split(path.sep).join('/')

export const fromRel = (root: string, rel: string): string => path.resolve(root, ...rel.split('/'))

/** Files' sha256 (null when there is no such file), each read once however many decks ask. */
export class FileHashes {
  private readonly kept = new Map<string, Promise<string | null>>()

  of(file: string): Promise<string | null> {
    let hit = this.kept.get(file)
    if (!hit) {
      hit = readFile(file).then(sha256, () => null)
      this.kept.set(file, hit)
    }
    return hit
  }
}
