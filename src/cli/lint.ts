import { failureCode, findDecks, forEachDeck } from '../pipeline/decks.js'
import { resolveBuildOptions, type CliBuildValues } from '../config/options.js'
import { DeckError, ExitCode } from '../util/errors.js'
import { loadLintConfig } from '../lint/config.js'
import { toGithub, toHuman, toJson, type ReportFormat } from '../lint/report.js'
import type { Printer } from './printer.js'
import { withBuilder } from '../pipeline/lifecycle.js'
import type { Command, FlagValues } from './commands.js'

/** `deck lint`: the build's render and print page, checked, nothing written. */
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
  const options = resolveBuildOptions(values as CliBuildValues, cwd)
  const config = await loadLintConfig(cwd)
  const strict = values['strict'] === true || config.strict
  const decks = await findDecks(inputs.length ? inputs : ['slides'], cwd)
  return withBuilder(options, { warm: decks.length > 0, lint: config, renderAhead: decks }, async (builder) => {
    const results = await forEachDeck(decks, (file) => builder.inspectDeck(file))
    results.sort((a, b) => a.file.localeCompare(b.file))

    const broken = results.filter((r) => r.errors.length > 0)
    const findings = results.reduce((n, r) => n + r.diagnostics.length, 0)
    const failed = broken.length > 0 || (strict && findings > 0)
    const report = { results, failed }
    if (reporter === 'json') printer.data(JSON.stringify(toJson(report, cwd), null, 2))
    else {
      if (reporter === 'github') {
        const annotations = toGithub(report, cwd)
        if (annotations) printer.data(annotations)
      }
      printer.report(toHuman(report, cwd))
    }
    if (broken.length) return failureCode(results)
    return failed ? ExitCode.LINT_FAILED : ExitCode.OK
  })
}

export const lintCommand: Command = {
  name: 'lint',
  summary: 'Check decks: overflow, unreadable code, contrast, directives, content',
  flags: {
    strict: { type: 'boolean' },
    json: { type: 'boolean' },
    reporter: { type: 'string' },
  },
  help: [
    '      --strict              Exit 4 when there is any finding (also "lint.strict" in deck.config.json)',
    '      --json                Print findings as JSON on stdout (same as --reporter json)',
    '      --reporter <name>     human, json or github (default: github when GITHUB_ACTIONS=true, else human)',
  ],
  run: runLint,
}
