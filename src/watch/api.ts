import { resolveSettings, type DeckOptions } from '../pipeline/settings.js'

/*
 * `watch`, the public API's long run: build every deck, rebuild on every save, serve the live
 * preview, until `close()`. Progress goes to `onEvent`; nothing is printed.
 */

/** A running watch, as `watch` resolves to it. */
export interface WatchHandle {
  /** The preview's address, e.g. `http://127.0.0.1:8080/`. */
  url: string
  /** Whether the settings ask to open the preview in a browser (`watch.open`, `--no-open`); opening it is the caller's. */
  open: boolean
  /** Resolves once every build that is queued or running has finished. */
  idle(): Promise<void>
  /** Stop watching, close the preview server and the browser. Safe to call more than once. */
  close(): Promise<void>
}

/** Builds HTML on every save unless `formats` says more (a config's `formats` are for `build`). */
export async function watch(options: DeckOptions = {}): Promise<WatchHandle> {
  const settings = await resolveSettings({ ...options, formats: options.formats ?? ['html'] })
  const emit = options.onEvent ?? (() => undefined)
  for (const finding of settings.warnings) emit({ type: 'config-warning', finding })
  const { port, host, strictPort } = settings.resolved.watch
  // Loaded here so that `build` and `lint` do not pay for the watcher and the server.
  const { startWatch } = await import('./session.js')
  const session = await startWatch({
    build: settings.build,
    inputs: settings.resolved.decks,
    onEvent: emit,
    lint: settings.resolved.lint,
    host,
    port,
    nextFreePort: !strictPort,
  })
  let closing: Promise<void> | undefined
  return {
    url: session.url,
    open: settings.resolved.watch.open,
    idle: () => session.watcher.idle(),
    close: () => (closing ??= session.close()),
  }
}
