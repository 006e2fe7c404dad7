import { constants } from 'node:os'
import type { Builder, BuildOptions } from './builder.js'
import { browserFor } from '../browser/manager.js'
import type { LintConfig } from '../lint/config.js'
import { RenderAhead } from '../render/ahead.js'

/**
 * Run `fn` with a Builder that has lint installed, for the one-shot commands (`build`, `lint`).
 * With `warm`, Chromium and a first page start before the pipeline's modules load, so the launch
 * overlaps ~250 ms of imports; this module itself loads nothing heavy. With `renderAhead`, those
 * decks start rendering in a worker at once (see RenderAhead). Chromium and the worker are
 * closed however `fn` ends.
 */
export async function withBuilder<T>(
  options: BuildOptions,
  opts: { warm: boolean; lint?: LintConfig; renderAhead?: readonly string[] },
  fn: (builder: Builder) => Promise<T>,
): Promise<T> {
  const stopOnSignal = exitOnSignal()
  const ahead = opts.renderAhead ? RenderAhead.start(options, opts.renderAhead) : undefined
  const browser = browserFor(options)
  try {
    if (opts.warm) browser.warmUp()
    const [{ Builder }, { installLint }] = await Promise.all([import('./builder.js'), import('../lint/index.js')])
    const builder = new Builder(options, browser)
    builder.renderAhead = ahead
    await builder.init()
    await installLint(builder, opts.lint)
    return await fn(builder)
  } finally {
    await Promise.all([ahead?.close(), browser.close()])
    stopOnSignal()
  }
}

/** The signals that stop a command: Ctrl-C, a CI job's timeout, the terminal closing. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/**
 * Ctrl-C, or a CI job's timeout (SIGTERM), during a one-shot command: exit at once with the
 * shell's code for the signal (130, 143, 129). Without this, Node died on the signal without its exit
 * hooks, and Chromium, in a process group of its own (so that it can be killed whole), kept
 * running with its profile folder. `process.exit` runs the hook that kills it and removes the
 * folder. Outputs are written whole or not at all, so nothing half-written is left. Returns the
 * function that removes the handlers.
 */
function exitOnSignal(): () => void {
  const onSignal = (signal: NodeJS.Signals) => process.exit(128 + constants.signals[signal])
  for (const s of STOP_SIGNALS) process.on(s, onSignal)
  return () => {
    for (const s of STOP_SIGNALS) process.off(s, onSignal)
  }
}
