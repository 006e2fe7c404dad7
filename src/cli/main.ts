import { ExitCode, isDeckError } from '../util/errors.js'
import { parseCommandLine } from './args.js'
import { commandHelp, overviewHelp } from './help.js'
import { ownPackage } from '../util/own-package.js'
import { Printer } from './printer.js'
import { exitOnSignal } from './signals.js'

export { installProcessHooks } from './signals.js'

// The `deck` command: reads the command line, hands over to a command; no logic of its own.

/** Where `main` writes: progress and errors (stderr), help and data (stdout). */
export interface CliStreams {
  stdout?: NodeJS.WritableStream
  stderr?: NodeJS.WritableStream
}

export async function main(argv: string[], cwd = process.cwd(), streams: CliStreams = {}): Promise<number> {
  const quiet = argv.includes('-q') || argv.includes('--quiet')
  const printer = new Printer({
    cwd,
    quiet,
    ...(streams.stderr ? { stream: streams.stderr } : {}),
    ...(streams.stdout ? { dataStream: streams.stdout } : {}),
  })
  try {
    const line = parseCommandLine(argv, cwd)
    if (line.help) {
      printer.data(line.help.command ? commandHelp(line.help.command) : overviewHelp())
      return ExitCode.OK
    }
    if (line.version) {
      printer.data(ownPackage().version)
      return ExitCode.OK
    }
    const { command, values, inputs } = line
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
  } finally {
    printer.close()
  }
}
