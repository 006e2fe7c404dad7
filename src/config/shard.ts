import { DeckError, ExitCode } from '../util/errors.js'

/*
 * `--shard 2/4` (API: `shard: { index: 2, total: 4 }`): this build takes the second of four
 * parts of the decks. Which part a deck is in depends only on its path (see pipeline/decks.ts),
 * so adding a deck never moves the others.
 */

export interface Shard {
  /** 1-based: which part this build takes. */
  index: number
  /** How many parts the decks are split into. */
  total: number
}

const HINT = 'Give the part and the number of parts, e.g. --shard 2/4 for the second of four (1 ≤ part ≤ parts).'

const bad = (what: string): DeckError => new DeckError(`--shard ${what}`, { code: ExitCode.USAGE, hint: HINT })

/** `2/4` as a Shard; anything else is a usage error. */
export function parseShard(value: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value)
  if (!m) throw bad(`takes <part>/<parts>, got "${value}"`)
  return checkShard({ index: Number(m[1]), total: Number(m[2]) })
}

/** A shard given through the API, checked as the flag is. */
export function checkShard(shard: unknown): Shard {
  const s = shard as Partial<Shard> | null
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1
  if (!s || typeof s !== 'object' || !ok(s.index) || !ok(s.total)) {
    throw bad(`takes whole numbers from 1, got ${JSON.stringify(shard)}`)
  }
  if (s.index > s.total) throw bad(`${s.index}/${s.total}: there is no part ${s.index} of ${s.total}`)
  return { index: s.index, total: s.total }
}
