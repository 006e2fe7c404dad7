/**
 * The one way a result is kept for reuse. A value is made on the first call and shared by every
 * later one; a promise that rejects is forgotten, so the next call tries again (a missing
 * network, a file not there yet) instead of repeating an old failure for the life of the process.
 */
export function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | undefined
  return () => {
    if (!kept) {
      const made = make()
      kept = made
      made.catch(() => {
        if (kept === made) kept = undefined
      })
    }
    return kept
  }
}

/** A memo per key (`keyOf` the argument), holding at most `limit` keys (the oldest goes first). */
export interface KeyedMemo<A, T> {
  (arg: A): Promise<T>
  /** Forget every kept result. */
  clear(): void
  readonly size: number
}

export function memoByKey<A, T>(make: (arg: A) => Promise<T>, keyOf: (arg: A) => string, limit = 1000): KeyedMemo<A, T> {
  const kept = new BoundedCache<Promise<T>>(limit)
  const get = (arg: A): Promise<T> => {
    const key = keyOf(arg)
    const hit = kept.peek(key)
    if (hit) return hit
    const made = make(arg)
    kept.set(key, made)
    made.catch(() => {
      if (kept.peek(key) === made) kept.delete(key)
    })
    return made
  }
  // defineProperty, not Object.assign: assign would copy the getter's value once.
  return Object.defineProperties(get, {
    clear: { value: () => kept.clear() },
    size: { get: () => kept.size },
  }) as KeyedMemo<A, T>
}

/**
 * A synchronous cache of at most `limit` entries (the oldest goes first), for values made on
 * the spot (highlighted code, packed theme CSS). `clear()` empties it.
 */
export class BoundedCache<V> {
  private readonly kept = new Map<string, V>()

  constructor(private readonly limit: number) {}

  /** The value kept for `key`, or `make()`'s, kept from now on. */
  get(key: string, make: () => V): V {
    const hit = this.kept.get(key)
    if (hit !== undefined) return hit
    const value = make()
    this.set(key, value)
    return value
  }

  /** The value kept for `key`, without making one. */
  peek(key: string): V | undefined {
    return this.kept.get(key)
  }

  /** Keep `value` for `key`, replacing what was kept. */
  set(key: string, value: V): void {
    this.kept.delete(key)
    if (this.kept.size >= this.limit) {
      const oldest = this.kept.keys().next()
      if (!oldest.done) this.kept.delete(oldest.value)
    }
    this.kept.set(key, value)
  }

  delete(key: string): void {
    this.kept.delete(key)
  }

  keys(): IterableIterator<string> {
    return this.kept.keys()
  }

  clear(): void {
    this.kept.clear()
  }

  get size(): number {
    return this.kept.size
  }
}
