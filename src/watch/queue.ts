/*
 * Scheduling for watch mode. Editors save in bursts (truncate + write, temp file + rename, a
 * backup copy…), so a key is acted on only after a short quiet period; and a deck never has two
 * builds at once: one runs, at most one waits, and the waiting one always carries the latest
 * value, so the last save wins however many came in during a build.
 */

/** Calls `fire(key)` once a key has had no `touch` for `quietMs`. */
export class Debouncer<K> {
  private readonly timers = new Map<K, NodeJS.Timeout>()
  /** Events seen in the current burst of each key. */
  private readonly counts = new Map<K, number>()
  private readonly lastFired = new Map<K, number>()

  /**
   * A single save (one or two events) fires after `quietMs`, so the preview feels instant. An
   * event that is one of many, or that comes right after a fire, is part of a burst (a script,
   * a formatter, a `git checkout`): those wait for `burstQuietMs` of quiet, so the burst costs
   * one more build, not one per pause.
   */
  constructor(
    private readonly quietMs: number,
    private readonly fire: (key: K) => void,
    private readonly burstQuietMs = quietMs * 4,
  ) {}

  touch(key: K): void {
    const previous = this.timers.get(key)
    if (previous) clearTimeout(previous)
    const count = (this.counts.get(key) ?? 0) + 1
    this.counts.set(key, count)
    const sinceFire = performance.now() - (this.lastFired.get(key) ?? Number.NEGATIVE_INFINITY)
    const burst = count > 2 || sinceFire < this.burstQuietMs * 2
    this.timers.set(
      key,
      setTimeout(
        () => {
          this.timers.delete(key)
          this.counts.delete(key)
          this.lastFired.set(key, performance.now())
          this.fire(key)
        },
        burst ? this.burstQuietMs : this.quietMs,
      ),
    )
  }

  get pending(): number {
    return this.timers.size
  }

  /** Whether `key` waits for its quiet period to end. */
  has(key: K): boolean {
    return this.timers.has(key)
  }

  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    this.counts.clear()
  }
}

interface Slot<V> {
  running: Promise<void>
  /** Set when another run was asked for while this one runs; holds the latest value. */
  next?: { value: V }
}

/**
 * Per-key serial runner: one run per key at a time, one pending with the newest value, and at
 * most `limit` keys running at once across all keys (two cores: more only thrashes).
 */
export class LatestQueue<K, V> {
  private readonly slots = new Map<K, Slot<V>>()
  private readonly waiting: Array<() => void> = []
  private active = 0
  private idleWaiters: Array<() => void> = []

  constructor(
    private readonly run: (key: K, value: V) => Promise<void>,
    private readonly limit: number,
  ) {}

  push(key: K, value: V): void {
    const slot = this.slots.get(key)
    if (slot) {
      slot.next = { value }
      return
    }
    this.start(key, value)
  }

  /** Forget the pending run of a key (the running one finishes). */
  drop(key: K): void {
    const slot = this.slots.get(key)
    if (slot) delete slot.next
  }

  /** Resolves when the key has nothing running or pending. */
  async settled(key: K): Promise<void> {
    for (let slot = this.slots.get(key); slot; slot = this.slots.get(key)) await slot.running
  }

  /** Resolves when no key has anything running or pending. */
  idle(): Promise<void> {
    if (this.slots.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  get size(): number {
    return this.slots.size
  }

  /** Whether `key` has a run going or waiting. */
  has(key: K): boolean {
    return this.slots.has(key)
  }

  private start(key: K, value: V): void {
    const slot: Slot<V> = { running: Promise.resolve() }
    this.slots.set(key, slot)
    slot.running = (async () => {
      let job: { value: V } | undefined = { value }
      while (job) {
        await this.acquire()
        // A push while waiting for a turn replaces the value: build the newest content only.
        if (slot.next) job = slot.next
        delete slot.next
        try {
          await this.run(key, job.value)
        } catch {
          // `run` reports its own failures; a throw here must not stop the queue.
        } finally {
          this.release()
        }
        job = slot.next
        delete slot.next
      }
      this.slots.delete(key)
      if (this.slots.size === 0) {
        const waiters = this.idleWaiters
        this.idleWaiters = []
        for (const w of waiters) w()
      }
    })()
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()))
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.active -= 1
  }
}
