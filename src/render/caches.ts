import { RemoteCache } from '../access/remote-cache.js'
import { BoundedCache } from '../util/memo.js'
import type { DeckMarp } from './engine.js'

/** How many highlighted code blocks (and fence HTMLs per engine) are kept. */
export const HIGHLIGHT_CACHE_LIMIT = 5000

/**
 * The render's caches, owned by whoever renders (a Builder, the render worker) and passed in
 * through the render context: Marp engines, highlighted code, the local files a deck embeds, and
 * the on-disk store of remote web fonts.
 * Each is bounded; `clear()` empties them all (Builder.close calls it).
 */
export class RenderCaches {
  /** Engines are costly to build and cheap to reuse: one per project, engine options and theme-set version. */
  readonly engines = new BoundedCache<DeckMarp>(8)
  /** Highlighted code, shared by every engine. */
  readonly highlights = new BoundedCache<string>(HIGHLIGHT_CACHE_LIMIT)
  /** Local files as data URIs (or a refusal: `uri` undefined), by real path, size and change time. */
  readonly media = new BoundedCache<{ mtimeMs: number; size: number; uri: string | undefined }>(512)

  /** Remote resources kept on disk (a theme's web fonts), one store per folder. */
  private readonly remotes = new Map<string, RemoteCache>()

  /** The on-disk store of remote resources in `dir`, made on first use. */
  remote(dir: string): RemoteCache {
    let cache = this.remotes.get(dir)
    if (!cache) this.remotes.set(dir, (cache = new RemoteCache(dir)))
    return cache
  }

  clear(): void {
    this.remotes.clear()
    this.engines.clear()
    this.highlights.clear()
    this.media.clear()
  }
}
