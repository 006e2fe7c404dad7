import createDebug from '../util/debug.js'

const debug = createDebug('build')

/** `DEBUG=deck:build`: when each stage of a deck ended, and this process's memory then. */
export function stage(file: string, what: string, started: number): void {
  if (!debug.enabled) return
  const { heapUsed, rss, arrayBuffers } = process.memoryUsage()
  const mb = (n: number) => Math.round(n / 2 ** 20)
  debug(
    '%s: %s at %d ms (node: heap %d MB, buffers %d MB, rss %d MB)',
    file,
    what,
    Math.round(performance.now() - started),
    mb(heapUsed),
    mb(arrayBuffers),
    mb(rss),
  )
}
