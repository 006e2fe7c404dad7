import { constants } from 'node:os'
import { allowNodeGarbageCollection } from '../browser/memory.js'
import { killBrowsers } from '../browser/spawn.js'
import { removeLeftovers } from '../util/atomic-write.js'

/**
 * The process-wide settings of the `deck` command, installed once by its entry point (library
 * code installs none): on any exit Node sees, Chromium and its profile folder go, and so does
 * any half-written temp file; Node's garbage may be collected on request between big steps.
 */
export function installProcessHooks(): void {
  process.once('exit', () => {
    killBrowsers()
    removeLeftovers()
  })
  allowNodeGarbageCollection()
}

/** The signals that stop a command: Ctrl-C, a CI job's timeout, the terminal closing. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/**
 * Ctrl-C, or a CI job's timeout (SIGTERM), during a one-shot command: exit at once with the
 * shell's code for the signal (130, 143, 129). Node would otherwise die on the signal without
 * its exit hooks; `process.exit` runs them, and they take Chromium, its profile folder and any
 * half-written temp file along. Outputs are written whole or not at all. Returns the function
 * that removes the handlers.
 */
export function exitOnSignal(): () => void {
  const onSignal = (signal: NodeJS.Signals) => process.exit(128 + constants.signals[signal])
  for (const s of STOP_SIGNALS) process.on(s, onSignal)
  return () => {
    for (const s of STOP_SIGNALS) process.off(s, onSignal)
  }
}

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP (watch mode, which then closes in order);
 * later ones are ignored while it shuts down.
 */
export function stopSignal(): { stopped: Promise<string>; dispose: () => void } {
  let resolve: (signal: string) => void = () => undefined
  const stopped = new Promise<string>((r) => (resolve = r))
  const onSignal = (signal: string) => resolve(signal)
  for (const s of STOP_SIGNALS) process.on(s, onSignal)
  return {
    stopped,
    dispose: () => {
      for (const s of STOP_SIGNALS) process.off(s, onSignal)
    },
  }
}
