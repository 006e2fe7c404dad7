import { spawn } from 'node:child_process'
import { resolveBuildOptions, parsePositiveNumber, type CliBuildValues } from '../config/options.js'
import { ExitCode } from '../util/errors.js'
import type { Printer } from './printer.js'
import { STOP_SIGNALS } from '../pipeline/lifecycle.js'
import type { Command } from './commands.js'

/** `deck watch`: build once, rebuild on every save, serve a live preview until Ctrl-C. */
const DEFAULT_PORT = 8080

/** Open the preview in the desktop's browser; best effort, a headless machine just has none. */
function openInBrowser(url: string, printer: Printer): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]]
  try {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' })
    child.on('error', () => printer.info(`Open ${url} in a browser to see the preview.`))
    child.unref()
  } catch {
    printer.info(`Open ${url} in a browser to see the preview.`)
  }
}

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP (the terminal closed); later ones are ignored
 * while we shut down.
 */
function stopSignal(): { stopped: Promise<string>; dispose: () => void } {
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

export const watchCommand: Command = {
  name: 'watch',
  summary: 'Build, then rebuild on every save and serve a live preview',
  flags: {
    port: { type: 'string' },
    host: { type: 'string' },
    'no-open': { type: 'boolean' },
  },
  help: [
    `      --port <n>            Preview port (default: ${DEFAULT_PORT}, or the next free one)`,
    '      --host <addr>         Address to listen on (default: 127.0.0.1; 0.0.0.0 shares on the LAN)',
    '      --no-open             Do not open the preview in a browser',
  ],
  async run({ inputs, values, cwd, printer }) {
    const build = resolveBuildOptions(values as CliBuildValues, cwd)
    const portValue = values['port']
    const port = typeof portValue === 'string' ? (portValue === '0' ? 0 : parsePositiveNumber('--port', portValue, DEFAULT_PORT)) : DEFAULT_PORT
    const host = typeof values['host'] === 'string' ? values['host'] : '127.0.0.1'
    const signals = stopSignal()
    try {
      // Loaded here so `deck build` and `deck --help` do not pay for the watcher and server.
      const { startWatch } = await import('../watch/session.js')
      const session = await startWatch({ build, inputs, printer, host, port, nextFreePort: portValue === undefined })
      try {
        printer.info(`Watching ${inputs.length ? inputs.join(', ') : 'slides/'}; preview at ${session.url} (Ctrl-C to stop)`)
        if (!values['no-open'] && process.stdout.isTTY && !process.env['CI']) openInBrowser(session.url, printer)
        await signals.stopped
        printer.info('Stopping…')
      } finally {
        await session.close()
      }
      return ExitCode.OK
    } finally {
      signals.dispose()
    }
  },
}
