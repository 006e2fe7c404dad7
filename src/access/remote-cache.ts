import { createHash } from 'node:crypto'
import { readdir, readFile, rm, stat, utimes } from 'node:fs/promises'
import path from 'node:path'
import { writeFileAtomic } from '../util/atomic-write.js'
import { BoundedCache } from '../util/memo.js'
import type { FetchPolicy } from './policy.js'
import { fetchRemote, RemoteRefusal } from './remote.js'

/*
 * Remote resources kept on disk between builds (a theme's web fonts and their CSS), so a font is
 * fetched once per machine, not once per build, and a build without network still has it.
 *
 * Content-addressed: each body is stored once under its SHA-256 (`blobs/<hash>`), and a small
 * entry per URL (`urls/<hash of the request>.json`) names the body, its type and the URL it
 * finally came from. A body is checked against its hash when read back. The folder is bounded:
 * past `maxBytes`, the bodies used longest ago go first (a hit refreshes a body's time).
 * The key includes `allowPrivateNetwork`, so what a trusted build fetched from a private address
 * is not handed to a build that refuses such addresses; the size cap is checked on every hit.
 */

export interface RemoteAnswer {
  /** The URL the body came from, after redirects (a CSS's relative `url()`s resolve against it). */
  url: string
  type: string | undefined
  body: Buffer
  /** The body's SHA-256 (hex): what the build cache records for a web font the render embedded. */
  sha256: string
}

interface Entry {
  url: string
  final: string
  type: string | null
  sha256: string
  size: number
}

/** Default bound of the folder: 64 MB (a few dozen font families). */
export const REMOTE_CACHE_BYTES = 64 * 2 ** 20

/** The cache folder of a project when none is given: beside npm's other caches. */
export const defaultRemoteCacheDir = (root: string): string => path.join(root, 'node_modules', '.cache', 'marp-deck-pipeline', 'remote')

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')

/** How long a failed fetch is answered from memory before it is tried again. */
export const RETRY_AFTER_MS = 60_000

export const OFFLINE_HINT = 'Build once with network access (the resource is then kept in the cache), or download it next to the theme.'

export class RemoteCache {
  /** Fetches in flight, by key: two decks naming one font share one request. */
  private readonly pending = new Map<string, Promise<RemoteAnswer>>()
  /** Answers read or fetched by this store, so watch mode's renders do not read the disk each time. */
  private readonly recent = new BoundedCache<RemoteAnswer>(64)
  /**
   * Recent failures, so a build with many decks on gaia and no network waits for the timeout
   * once, not once per deck; tried again after RETRY_AFTER_MS (watch mode sees the network return).
   */
  private readonly failed = new BoundedCache<{ error: unknown; at: number }>(64)

  constructor(
    readonly dir: string,
    readonly maxBytes: number = REMOTE_CACHE_BYTES,
  ) {}

  /**
   * The answer for `url`: from the cache when it holds one fetched under a policy at least as
   * strict, else fetched under `policy` (nothing is fetched when `policy.fetchRemote` is false).
   */
  get(url: string, policy: FetchPolicy, accept: string): Promise<RemoteAnswer> {
    const key = sha256(`${accept}\u0000${policy.allowPrivateNetwork}\u0000${url}`)
    const known = this.recent.peek(key)
    if (known && known.body.length <= policy.maxRemoteBytes) return Promise.resolve(known)
    const failure = this.failed.peek(key)
    if (failure && Date.now() - failure.at < RETRY_AFTER_MS) return Promise.reject(failure.error)
    const running = this.pending.get(key)
    if (running) return running
    const job = this.load(key, policy).then(
      (hit) => hit ?? this.fetch(key, url, policy, accept),
      () => this.fetch(key, url, policy, accept),
    )
    this.pending.set(key, job)
    const done = () => void this.pending.delete(key)
    job.then(
      (answer) => {
        this.recent.set(key, answer)
        this.failed.delete(key)
        done()
      },
      (error: unknown) => {
        // An offline build's refusal costs nothing to repeat, and must not outlive its policy.
        if (policy.fetchRemote) this.failed.set(key, { error, at: Date.now() })
        done()
      },
    )
    return job
  }

  private async load(key: string, policy: FetchPolicy): Promise<RemoteAnswer | undefined> {
    const entryFile = path.join(this.dir, 'urls', `${key}.json`)
    const entry = JSON.parse(await readFile(entryFile, 'utf8')) as Entry
    if (entry.size > policy.maxRemoteBytes) return undefined
    const blob = path.join(this.dir, 'blobs', entry.sha256)
    const body = await readFile(blob)
    if (sha256(body) !== entry.sha256) return undefined
    const now = new Date()
    await utimes(blob, now, now).catch(() => undefined)
    return { url: entry.final, type: entry.type ?? undefined, body, sha256: entry.sha256 }
  }

  private async fetch(key: string, url: string, policy: FetchPolicy, accept: string): Promise<RemoteAnswer> {
    if (!policy.fetchRemote) throw new RemoteRefusal('not fetched (offline build) and not in the cache', OFFLINE_HINT)
    const answer = await fetchRemote(url, policy, accept)
    const hash = sha256(answer.body)
    const entry: Entry = { url, final: answer.url, type: answer.type ?? null, sha256: hash, size: answer.body.length }
    // A cache that cannot be written (a read-only checkout) costs the next build a fetch, nothing more.
    try {
      await writeFileAtomic(path.join(this.dir, 'blobs', hash), answer.body)
      await writeFileAtomic(path.join(this.dir, 'urls', `${key}.json`), JSON.stringify(entry))
      await this.prune()
    } catch {
      // Not kept.
    }
    return { ...answer, sha256: hash }
  }

  /** Bodies used longest ago are removed until the folder is within its bound; entries without a body go too. */
  private async prune(): Promise<void> {
    const blobsDir = path.join(this.dir, 'blobs')
    const names = await readdir(blobsDir)
    const blobs = await Promise.all(names.map(async (name) => ({ name, info: await stat(path.join(blobsDir, name)) })))
    let total = blobs.reduce((sum, b) => sum + b.info.size, 0)
    if (total <= this.maxBytes) return
    blobs.sort((a, b) => a.info.mtimeMs - b.info.mtimeMs || a.name.localeCompare(b.name))
    const removed = new Set<string>()
    for (const b of blobs) {
      if (total <= this.maxBytes) break
      await rm(path.join(blobsDir, b.name), { force: true })
      removed.add(b.name)
      total -= b.info.size
    }
    const urlsDir = path.join(this.dir, 'urls')
    for (const name of await readdir(urlsDir)) {
      const file = path.join(urlsDir, name)
      const entry = await readFile(file, 'utf8').then(
        (t) => JSON.parse(t) as Entry,
        () => undefined,
      )
      if (!entry || removed.has(entry.sha256)) await rm(file, { force: true })
    }
  }
}
