import { appendFile } from 'node:fs/promises'
import path from 'node:path'
import { planBuild } from '../cache/plan.js'
import type { Shard } from '../config/shard.js'
import { needsBrowser } from '../config/options.js'
import { indexPage } from '../publish/index-page.js'
import { buildSummary } from '../publish/summary.js'
import { sortDiagnostics } from '../util/diagnostics.js'
import { DeckError, ExitCode } from '../util/errors.js'
import { writeFileAtomic } from '../util/atomic-write.js'
import type { DeckResult } from './types.js'
import { findDecks, forEachDeck } from './decks.js'
import type { BuildStage, EventHandler } from './events.js'
import { withBuilder } from './lifecycle.js'
import { failureCode, toReport, type DeckReport } from './report.js'
import { resolveSettings, type DeckOptions, type Settings } from './settings.js'

/*
 * `build` and `lint`, the public API's one-shot runs: options in, per-deck reports out, progress
 * through `onEvent`. Nothing here prints or exits; the CLI is one caller.
 */

/** Options of `build`: the options every run takes, and the two reports a CI job wants. */
export interface BuildRunOptions extends DeckOptions {
  /** Append a Markdown summary (decks, slides, outputs, sizes, findings) to this file, e.g. `$GITHUB_STEP_SUMMARY`. */
  summary?: string
  /** Write `index.html` in the output folder, listing the decks built, each with a thumbnail of its first slide. */
  index?: boolean
  /** Build every deck, even those the build cache finds up to date. */
  force?: boolean
  /** Build one part of the decks (`{ index: 2, total: 4 }`: the second of four), chosen by each deck's path. */
  shard?: Shard
}

export interface RunResult {
  /** What the CLI exits with: 0, 1 (a deck failed), 3 (no browser), 4 (findings with `lint.strict`, after every output is written). */
  exitCode: ExitCode
  /** The project root the run used. */
  root: string
  outDir: string
  /** One report per deck, sorted by path. */
  decks: DeckReport[]
  ms: number
}

export interface LintResult extends RunResult {
  /** Whether the run fails: a deck could not be checked, or `lint.strict` with findings. */
  failed: boolean
}

/** Build every deck of the options (default: every `.md` under `slides/`) to every format asked for. */
export async function build(options: BuildRunOptions = {}): Promise<RunResult> {
  const started = performance.now()
  const { summary, index, force, shard, ...deckOptions } = options
  const { settings, decks: found, emit, cwd } = await prepare(deckOptions)
  const { formats } = settings.build
  // The build cache and the shard: decks up to date are reported from the manifest, not built.
  const plan = await planBuild(settings, found, { force: force === true, ...(shard ? { shard } : {}), index: index === true })
  for (const [deck, fresh] of plan.upToDate) {
    emit({ type: 'up-to-date', deck })
    emit({ type: 'findings', deck, findings: fresh.findings })
  }
  const decks = plan.stale
  const warm = decks.length > 0 && (needsBrowser(formats) || plan.thumbnails)
  const turn = turns(decks.length, emit)
  const results = !decks.length
    ? []
    : await withBuilder(settings.build, { warm, lint: settings.resolved.lint, renderAhead: decks }, (builder) => {
        builder.thumbnails = plan.thumbnails
        return forEachDeck(decks, async (file) => {
          turn.start(file)
          const result = await builder.buildDeck(file, formats, {
            onOutput: (deck, out) => emit({ type: 'output', deck, ...out }),
            onStage: turn.stage,
          })
          report(result, emit)
          turn.done(file)
          return result
        })
      })
  await plan.cache?.record(results)
  const reports = sorted(results, [...plan.upToDate.values()])
  const broken = failureCode(reports)
  // With lint.strict (--strict), findings fail the build once every output is written.
  const strictFailure = settings.resolved.lint.strict && reports.some((r) => r.findings.length > 0)
  if (summary) await appendFile(path.resolve(cwd, summary), buildSummary(reports, cwd))
  if (index) {
    const index = path.join(settings.build.outDir, 'index.html')
    await writeFileAtomic(index, indexPage(reports, settings.build.outDir))
    emit({ type: 'written', file: index })
  }
  return {
    exitCode: broken !== ExitCode.OK ? broken : strictFailure ? ExitCode.LINT_FAILED : ExitCode.OK,
    root: settings.root,
    outDir: settings.build.outDir,
    decks: reports,
    ms: performance.now() - started,
  }
}

/** Check every deck as a build would (render and print page), writing nothing. */
export async function lint(options: DeckOptions = {}): Promise<LintResult> {
  const started = performance.now()
  const { settings, decks, emit } = await prepare(options)
  const turn = turns(decks.length, emit)
  const results = await withBuilder(
    settings.build,
    { warm: decks.length > 0, lint: settings.resolved.lint, renderAhead: decks },
    (builder) =>
      forEachDeck(decks, async (file) => {
        turn.start(file)
        const result = await builder.inspectDeck(file, { onStage: turn.stage })
        report(result, emit)
        turn.done(file)
        return result
      }),
  )
  const reports = sorted(results)
  const broken = failureCode(reports)
  const findings = reports.some((r) => r.findings.length > 0)
  const failed = broken !== ExitCode.OK || (settings.resolved.lint.strict && findings)
  const exitCode = broken !== ExitCode.OK ? broken : failed ? ExitCode.LINT_FAILED : ExitCode.OK
  return { exitCode, failed, root: settings.root, outDir: settings.build.outDir, decks: reports, ms: performance.now() - started }
}

async function prepare(options: DeckOptions): Promise<{ settings: Settings; decks: string[]; emit: EventHandler; cwd: string }> {
  const cwd = path.resolve(options.cwd ?? process.cwd())
  const emit: EventHandler = options.onEvent ?? (() => undefined)
  const settings = await resolveSettings(options)
  for (const finding of settings.warnings) emit({ type: 'config-warning', finding })
  const decks = await findDecks(settings.resolved.decks, cwd)
  if (settings.build.outFile && decks.length > 1) {
    throw new DeckError(`the output ${path.basename(settings.build.outFile)} is one file, but ${decks.length} decks were found`, {
      code: ExitCode.USAGE,
      hint: 'Name one deck, or give a folder as the output (-o dist).',
    })
  }
  return { settings, decks, emit, cwd }
}

/** Progress events of a run: each deck's turn (n of N) and its stages. */
function turns(total: number, emit: EventHandler) {
  let started = 0
  return {
    start: (deck: string) => emit({ type: 'deck-start', deck, index: ++started, total }),
    stage: (deck: string, stage: BuildStage, slides?: { done: number; total: number }) =>
      emit({ type: 'stage', deck, stage, ...(slides ? { slides } : {}) }),
    done: (deck: string) => emit({ type: 'deck-done', deck }),
  }
}

function report(result: DeckResult, emit: EventHandler): void {
  emit({ type: 'findings', deck: result.file, findings: sortDiagnostics(result.diagnostics) })
  for (const error of result.errors) emit({ type: 'error', deck: result.file, error })
}

const sorted = (results: DeckResult[], more: DeckReport[] = []): DeckReport[] =>
  [...results.map(toReport), ...more].sort((a, b) => a.file.localeCompare(b.file))
