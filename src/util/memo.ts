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
  const kept = new Map<string, Promise<T>>()
  const get = (arg: A): Promise<T> => {
    const key = keyOf(arg)
    const hit = kept.get(key)
    if (hit) return hit
    const made = make(arg)
    if (kept.size >= limit) {
      const oldest = kept.keys().next()
      if (!oldest.done) kept.delete(oldest.value)
    }
    kept.set(key, made)
    made.catch(() => {
      if (kept.get(key) === made) kept.delete(key)
    })
    return made
  }
  // defineProperty, not Object.assign: assign would copy the getter's value once.
  return Object.defineProperties(get, {
    clear: { value: () => kept.clear() },
    size: { get: () => kept.size },
  }) as KeyedMemo<A, T>
}
