import type { Builder, BuildOptions } from '../build.js'
import { browserFor } from '../browser/manager.js'
import type { LintConfig } from '../lint/config.js'

/**
 * Run `fn` with a Builder that has lint installed, for the one-shot commands (`build`, `lint`).
 * With `warm`, Chromium and a first page start before the pipeline's modules load, so the launch
 * overlaps ~250 ms of imports; this module itself loads nothing heavy. Chromium is closed
 * however `fn` ends.
 */
export async function withBuilder<T>(options: BuildOptions, opts: { warm: boolean; lint?: LintConfig }, fn: (builder: Builder) => Promise<T>): Promise<T> {
  const browser = browserFor(options)
  try {
    if (opts.warm) browser.warmUp()
    const [{ Builder }, { installLint }] = await Promise.all([import('../build.js'), import('../lint/index.js')])
    const builder = new Builder(options, browser)
    await builder.init()
    await installLint(builder, opts.lint)
    return await fn(builder)
  } finally {
    await browser.close()
  }
}
