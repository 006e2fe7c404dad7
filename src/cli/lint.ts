import { toGithub, toHuman, toJson, type ReportFormat } from '../lint/report.js'
import { lint } from '../pipeline/run.js'
import { DeckError, ExitCode } from '../util/errors.js'
import type { Command, FlagValues } from './command.js'
import { optionsFromFlags } from './options.js'
import type { Printer } from './printer.js'

// `deck lint`: the build's render and print page, checked, nothing written.

const REPORTERS: readonly ReportFormat[] = ['human', 'json', 'github']

export function pickReporter(values: FlagValues, env: NodeJS.ProcessEnv = process.env): ReportFormat {
  const named = values['reporter']
  if (typeof named === 'string') {
    if (!REPORTERS.includes(named as ReportFormat)) {
      throw new DeckError(`unknown reporter: ${named}`, { code: ExitCode.USAGE, hint: `--reporter takes ${REPORTERS.join(', ')}.` })
    }
    return named as ReportFormat
  }
  if (values['json']) return 'json'
  return env['GITHUB_ACTIONS'] === 'true' ? 'github' : 'human'
}

export async function runLint(ctx: { cwd: string; printer: Printer; values: FlagValues; inputs: string[] }): Promise<number> {
  const { cwd, printer, values, inputs } = ctx
  const reporter = pickReporter(values)
  const options = optionsFromFlags(values, inputs, cwd)
  // Findings go to the report below; errors and config warnings are printed as they come.
  const result = await lint({
    ...options,
    ...(values['strict'] === true ? { lint: { strict: true } } : {}),
    onEvent: (event) => {
      if (event.type !== 'findings' && event.type !== 'error') printer.event(event)
    },
  })
  const report = { results: result.decks, failed: result.failed }
  if (reporter === 'json') printer.data(JSON.stringify(toJson(report, cwd), null, 2))
  else {
    if (reporter === 'github') {
      const annotations = toGithub(report, cwd)
      if (annotations) printer.data(annotations)
    }
    printer.report(toHuman(report, cwd))
  }
  return result.exitCode
}

export const lintCommand: Command = {
  name: 'lint',
  summary: 'Check decks: overflow, unreadable code, contrast, directives, content',
  description:
    'Renders each deck and checks it as a build would (overflowing slides, unreadable code, contrast, directives Marp ' +
    'ignores, lost content), writing nothing. Findings print as file:line: message; rules are set in deck.config.json.',
  usage: '[decks or folders...] [options]',
  buildFlags: true,
  flags: {
    strict: { type: 'boolean', help: 'Exit 4 when there is any finding (also "lint.strict" in deck.config.json)' },
    json: { type: 'boolean', help: 'Print findings as JSON on stdout (same as --reporter json)' },
    reporter: { type: 'string', arg: '<name>', help: 'human, json or github (default: github when GITHUB_ACTIONS=true, else human)' },
  },
  run: runLint,
}
