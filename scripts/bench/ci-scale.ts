import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { deckPath, deckText, generateDecks } from '../gen-decks.js'
import { runMeasured, type MeasuredRun } from './measure.js'
import { seconds, table } from './options.js'

/*
 * The build cache and sharding at the scale of a course repository (issue #14): a generated
 * project of N small decks (scripts/gen-decks.ts), each command run ONCE, as a user runs it
 * (`node bin/deck.js build …`, a child process, wall clock from start to exit):
 *
 *   1. cold: every deck, nothing cached (HTML, PDF, PPTX and the index's thumbnails);
 *   2. warm, nothing changed: every deck up to date;
 *   3. warm, one deck edited: only that deck rebuilt;
 *   4. the cold build again as 4 shards, run one after another into 4 folders, then `deck index`.
 *
 * Prints a Markdown report on stdout, with the machine's load (uptime) before and after.
 *
 *   npx tsc -p tsconfig.json && node lib/scripts/bench/ci-scale.js [--decks 120] [--formats html,pdf,pptx]
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const CLI = path.join(ROOT, 'bin/deck.js')

interface Step {
  name: string
  run: MeasuredRun
  built: number
  upToDate: number
}

const count = (text: string, re: RegExp) => new Set([...text.matchAll(re)].map((m) => m[1])).size
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim()

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { decks: { type: 'string' }, formats: { type: 'string' } } })
  const decks = Number(values.decks ?? 120)
  const formats = values.formats ?? 'html,pdf,pptx'
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deck-ci-scale-'))
  try {
    await generateDecks(dir, decks)
    const env = { ...process.env, DEBUG: '' }
    const deck = async (name: string, args: string[]): Promise<Step> => {
      process.stderr.write(`${name}…\n`)
      const run = await runMeasured(process.execPath, [CLI, ...args], { cwd: dir, env, timeoutMs: 30 * 60_000, memory: false })
      if (run.code !== 0) throw new Error(`${name}: exit ${run.code}\n${run.stderr.slice(-2000)}`)
      return { name, run, built: count(run.stderr, /^(\S+\.md) => /gm), upToDate: count(run.stderr, /^(\S+\.md): up to date$/gm) }
    }
    const before = uptime()
    const build = ['build', '-f', formats, '--index']
    const cold = await deck('cold build', [...build, '-o', 'dist'])
    const fresh = await deck('warm build, nothing changed', [...build, '-o', 'dist'])
    const edited = Math.min(41, decks - 1)
    await writeFile(path.join(dir, deckPath(edited)), deckText(edited, ' Edited for the warm build.'))
    const warm = await deck('warm build, one deck edited', [...build, '-o', 'dist'])
    const shards: Step[] = []
    for (let i = 1; i <= 4; i += 1) shards.push(await deck(`shard ${i}/4 (cold)`, [...build, '--shard', `${i}/4`, '-o', `shard-${i}`]))
    const merge = await deck('deck index over the 4 shard folders', ['index', 'shard-1', 'shard-2', 'shard-3', 'shard-4', '-o', 'site'])
    const after = uptime()

    const slowest = Math.max(...shards.map((s) => s.run.wallMs))
    const sum = shards.reduce((n, s) => n + s.run.wallMs, 0)
    const pct = (ms: number) => `${((100 * ms) / cold.run.wallMs).toFixed(1)} %`
    const rows = [cold, fresh, warm, ...shards, merge].map((s) => [
      s.name,
      seconds(s.run.wallMs),
      pct(s.run.wallMs),
      String(s.built),
      String(s.upToDate),
      `${(s.run.otherCpuMs / 1000).toFixed(1)} s`,
    ])
    const report = [
      `${decks} generated decks (scripts/gen-decks.ts: 3 slides each, a third on a theme with an @import, a quarter with an image), formats ${formats} with --index; each command run once.`,
      '',
      table(['Run', 'Wall', 'of cold', 'Decks built', 'Up to date', 'Other CPU'], rows, ['l', 'r', 'r', 'r', 'r', 'r']),
      '',
      `Shards: slowest ${seconds(slowest)} (${pct(slowest)} of the one-runner cold build), sum of the four ${seconds(sum)}; decks per shard ${shards.map((s) => s.built).join(', ')}.`,
      '',
      `Load before: \`${before}\``,
      `Load after: \`${after}\``,
      `"Other CPU": CPU time other processes on the machine used during the run (${os.availableParallelism()} cores).`,
    ].join('\n')
    process.stdout.write(`${report}\n`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
