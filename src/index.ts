/*
 * The package's one entry: build, lint and watch Marp decks from code. The `deck` CLI is a
 * client of these functions; it parses arguments, calls them and prints their events.
 *
 *   import { build } from 'marp-deck-pipeline'
 *   const result = await build({ decks: ['slides/talk.md'], formats: ['html', 'pdf'] })
 *   for (const deck of result.decks) console.log(deck.file, deck.outputs, deck.findings)
 */

export { build, lint, type BuildRunOptions, type LintResult, type RunResult } from './pipeline/run.js'
export { watch, type WatchHandle } from './watch/api.js'
export { indexBuilds, type IndexOptions, type IndexResult } from './publish/merge.js'
export type { Shard } from './config/shard.js'
export type { DeckOptions } from './pipeline/settings.js'
export type { DeckReport } from './pipeline/report.js'
export type { OutputRecord } from './pipeline/types.js'
export type { EventHandler, PipelineEvent } from './pipeline/events.js'
export { defineConfig, type DeckConfig } from './config/schema.js'
export { FORMATS, type Format } from './config/options.js'
export { DeckError, ExitCode, type ReportedError } from './util/errors.js'
export type { Diagnostic, Severity } from './util/diagnostics.js'
export { RULES, type RuleId, type RuleInfo } from './lint/rules.js'
