import type { Builder } from './builder.js'
import type { BuildOptions } from './types.js'
import { browserFor } from '../browser/manager.js'
import type { LintConfig } from '../lint/config.js'
import { RenderAhead } from '../render/ahead.js'

/**
 * Run `fn` with a Builder that has lint installed, for the one-shot commands (`build`, `lint`).
 * With `warm`, Chromium and a first page start before the pipeline's modules load, so the launch
 * overlaps their imports; this module itself loads nothing heavy. With `renderAhead`, those
 * decks start rendering in a worker at once (see RenderAhead). Chromium and the worker are
 * closed however `fn` ends.
 */
export async function withBuilder<T>(
  options: BuildOptions,
  opts: { warm: boolean; lint?: LintConfig; renderAhead?: readonly string[] },
  fn: (builder: Builder) => Promise<T>,
): Promise<T> {
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
  }
}
