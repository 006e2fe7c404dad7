import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { PER_SLIDE_MS } from '../browser/step.js'
import { COMMANDS, type Flags } from './commands.js'
import { DEFAULTS } from '../config/options.js'
import { DeckError, ExitCode, isDeckError } from '../util/errors.js'
import { Printer } from './printer.js'
import { exitOnSignal } from './signals.js'

// The `deck` command: parses arguments and hands over to a command; no logic of its own.

const SHARED_FLAGS = {
  out: { type: 'string', short: 'o' },
  format: { type: 'string', short: 'f' },
  'theme-set': { type: 'string', multiple: true },
  html: { type: 'boolean' },
  'pdf-notes': { type: 'boolean' },
  'image-scale': { type: 'string' },
  offline: { type: 'boolean' },
  'remote-timeout': { type: 'string' },
  'allow-local-files': { type: 'boolean' },
  'allow-private-network': { type: 'boolean' },
  'max-remote-size': { type: 'string' },
  'browser-path': { type: 'string' },
  'browser-timeout': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies Flags

export function helpText(): string {
  const commands = COMMANDS.map((c) => `  ${c.name.padEnd(22)}${c.summary}`).join('\n')
  const own = COMMANDS.filter((c) => c.help.length)
    .map((c) => `\nOptions of ${c.name}:\n${c.help.join('\n')}`)
    .join('\n')
  return `Usage: deck [command] [decks or folders...] [options]

Builds Marp decks (default: every .md under slides/) into dist/: HTML, PDF, PPTX, PNG.

Commands:
${commands}

Options:
  -o, --out <dir>           Output folder (default: ${DEFAULTS.outDir})
  -f, --format <list>       Comma-separated: html,pdf,pptx,png (default: ${DEFAULTS.formats.join(',')})
      --theme-set <path>    Extra theme CSS file or folder; repeatable (css/ is always loaded)
      --html                Allow raw HTML in Markdown (as marp-cli --html)
      --pdf-notes           Add speaker notes to the PDF as annotations
      --image-scale <n>     Scale of PNG output (default: ${DEFAULTS.imageScale}; PPTX images are 2x)
      --offline             Do not fetch remote images; warn about them instead
      --remote-timeout <ms> Longest wait for one remote image (default: ${DEFAULTS.remoteTimeoutMs})
      --max-remote-size <MB> Largest remote image embedded (default: ${DEFAULTS.maxRemoteMb})
      --allow-local-files   Embed local files from outside the project (never /proc, /sys, /dev);
                            only for decks you trust
      --allow-private-network  Fetch URLs on this machine or a private network (127/8, 10/8,
                            169.254/16, …); only for decks you trust
      --browser-path <path> Chrome/Chromium/Edge executable (default: CHROME_PATH, then usual paths)
      --browser-timeout <s> Timeout of one browser operation in seconds (default: ${DEFAULTS.browserTimeoutMs / 1000}); loading, printing and checking a deck get ${PER_SLIDE_MS} ms more per slide
  -q, --quiet               Print only warnings and errors
  -h, --help                Show this help
  -v, --version             Show the version
${own}
Environment: CHROME_PATH (browser), SOURCE_DATE_EPOCH (date in PDF/PPTX metadata), DEBUG=deck:* (internals).
Exit codes: 0 ok, 1 a deck failed, 2 bad usage, 3 no browser, 4 lint found problems with --strict,
130/143/129 interrupted (SIGINT/SIGTERM/SIGHUP).
`
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  const printer = new Printer({ cwd, quiet: argv.includes('-q') || argv.includes('--quiet') })
  try {
    const named = COMMANDS.find((c) => c.name === argv.find((a) => !a.startsWith('-')))
    const command = named ?? COMMANDS[0]!
    let parsed
    try {
      parsed = parseArgs({ args: argv, options: { ...SHARED_FLAGS, ...command.flags }, allowPositionals: true, strict: true })
    } catch (e) {
      throw new DeckError((e as Error).message, { code: ExitCode.USAGE, hint: 'Run `deck --help` for the options.' })
    }
    const { values, positionals } = parsed
    if (values['help']) {
      process.stdout.write(helpText())
      return ExitCode.OK
    }
    if (values['version']) {
      process.stdout.write(`${version()}\n`)
      return ExitCode.OK
    }
    const inputs = named ? positionals.slice(1) : positionals
    // Watch closes in order on a stop signal; the one-shot commands exit at once.
    const stopOnSignal = command.name === 'watch' ? () => undefined : exitOnSignal()
    try {
      return await command.run({ cwd, printer, values, inputs })
    } finally {
      stopOnSignal()
    }
  } catch (e) {
    printer.error(e)
    return isDeckError(e) ? e.code : ExitCode.BUILD_FAILED
  }
}
