import { spawn } from 'node:child_process'
import { parsePositiveNumber, type Format } from '../config/options.js'
import { watch } from '../watch/api.js'
import { optionsFromFlags } from './options.js'
import { ExitCode } from '../util/errors.js'
import type { Printer } from './printer.js'
import { stopSignal } from './signals.js'
import type { Command } from './command.js'

// `deck watch`: build once, rebuild on every save, serve a live preview until Ctrl-C.

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
 * What each save writes: HTML, which the preview shows, then the formats asked for, refreshed
 * after it. Undefined when none is asked for: the API then writes HTML only.
 */
export function watchFormats(formats: Format[] | undefined): Format[] | undefined {
  return formats ? [...new Set<Format>(['html', ...formats])] : undefined
}

export const watchCommand: Command = {
  name: 'watch',
  summary: 'Build HTML on each save and serve a live preview (--format adds pdf, pptx, png)',
  description:
    'Builds the decks, then rebuilds each one on every save of it or of a theme it uses, and serves a live preview ' +
    'that reloads. Each save writes HTML only, by default; --format (or --pdf, --pptx) adds those formats, ' +
    "refreshed after the HTML. The config file's formats are for `deck build`, not for watch.",
  usage: '[decks or folders...] [options]',
  buildFlags: true,
  flags: {
    port: { type: 'string', arg: '<n>', help: `Preview port (default: ${DEFAULT_PORT}, or the next free one)` },
    host: { type: 'string', arg: '<addr>', help: 'Address to listen on (default: 127.0.0.1; 0.0.0.0 shares on the LAN)' },
    'no-open': { type: 'boolean', help: 'Do not open the preview in a browser' },
  },
  async run({ inputs, values, cwd, printer }) {
    const portValue = values['port']
    const host = values['host']
    const port =
      typeof portValue === 'string' ? (portValue === '0' ? 0 : parsePositiveNumber('--port', portValue, DEFAULT_PORT)) : undefined
    const signals = stopSignal()
    try {
      const options = optionsFromFlags(values, inputs, cwd)
      const session = await watch({
        ...options,
        formats: watchFormats(options.formats),
        watch: {
          ...(port !== undefined ? { port } : {}),
          ...(typeof host === 'string' ? { host } : {}),
          ...(values['no-open'] ? { open: false } : {}),
        },
        onEvent: (event) => printer.event(event),
      })
      try {
        printer.info(`Watching ${inputs.length ? inputs.join(', ') : 'slides/'}; preview at ${session.url} (Ctrl-C to stop)`)
        if (session.open && process.stdout.isTTY && !process.env['CI']) openInBrowser(session.url, printer)
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
