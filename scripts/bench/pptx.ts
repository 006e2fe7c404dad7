import { existsSync, statSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createBenchProject, repoRoot, SEED_DECK } from './decks.js'
import { runMeasured, waitForQuiet, type MeasuredRun } from './measure.js'
import { median, seconds, table, type BenchOptions, type BenchSection } from './options.js'

/**
 * The PPTX alone, editable (the default) against picture (`--pptx-mode picture`, one 2x
 * screenshot per slide), side by side on the seed and the generated deck: one
 * `deck build <deck> -f pptx` per run, a child process timed from spawn to exit, the runs
 * alternating which mode goes first. Issue #12's targets, reported (not asserted): the seed's
 * editable PPTX no slower than its picture PPTX; the generated deck's PPTX under 2 MB.
 */
const MODES = ['editable', 'picture'] as const
type Mode = (typeof MODES)[number]

const QUIET = { cores: 0.33, windowMs: 300, maxMs: 30_000 }
const RUN_TIMEOUT_MS = 10 * 60_000
const TARGET_BYTES = 2 * 2 ** 20

interface ModeRuns {
  runs: MeasuredRun[]
  /** The CLI's own time for the PPTX (`=> x.pptx (1.42 s)`), from the start of the deck. */
  writtenMs: number[]
  bytes: number
}

const toMs = (value: string, unit: string): number => Number(value) * (unit === 's' ? 1000 : 1)
const mb = (b: number) => (b / 2 ** 20).toFixed(2)

export const runPptxBench: BenchSection = async (opts: BenchOptions) => {
  const project = await createBenchProject({ slides: opts.slides })
  const deckBin = path.join(repoRoot(), 'bin', 'deck.js')
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  delete env['DEBUG']
  let waited = 0
  try {
    const once = async (deck: string, mode: Mode): Promise<{ run: MeasuredRun; writtenMs: number; bytes: number }> => {
      const outDir = path.join(project.dir, 'out', mode)
      const out = path.join(outDir, `${path.basename(deck, '.md')}.pptx`)
      await rm(out, { force: true })
      waited += await waitForQuiet(QUIET)
      const args = [deckBin, 'build', path.relative(project.dir, deck), '--out', outDir, '--format', 'pptx', '--pptx-mode', mode]
      const run = await runMeasured(process.execPath, args, { cwd: project.dir, env, timeoutMs: RUN_TIMEOUT_MS, memory: false })
      if (run.code !== 0 || run.timedOut || !existsSync(out)) {
        throw new Error(
          `deck build --pptx-mode ${mode} failed (exit ${run.code ?? run.signal}):\n${run.stderr.trim().split('\n').slice(-8).join('\n')}`,
        )
      }
      const written = /=> .*\.pptx \(([\d.]+) (ms|s)\)$/m.exec(run.stderr)
      return { run, writtenMs: written ? toMs(written[1]!, written[2]!) : NaN, bytes: statSync(out).size }
    }
    const decks = [
      { label: `seed (${SEED_DECK})`, file: project.seed, runs: opts.runs ?? (opts.quick ? 1 : 5) },
      { label: `generated, ${project.slides} slides`, file: project.large, runs: opts.runs ?? (opts.quick ? 1 : 3) },
    ]
    if (!opts.quick) {
      opts.log('pptx: warm-up (untimed)')
      for (const mode of MODES) await once(project.seed, mode)
    }
    const rows: string[][] = []
    const verdicts: string[] = []
    for (const deck of decks) {
      const result: Record<Mode, ModeRuns> = {
        editable: { runs: [], writtenMs: [], bytes: 0 },
        picture: { runs: [], writtenMs: [], bytes: 0 },
      }
      for (let i = 0; i < deck.runs; i += 1) {
        const order = i % 2 === 0 ? MODES : ([...MODES].reverse() as Mode[])
        const said: string[] = []
        for (const mode of order) {
          const r = await once(deck.file, mode)
          result[mode].runs.push(r.run)
          result[mode].writtenMs.push(r.writtenMs)
          result[mode].bytes = r.bytes
          said.push(`${mode} ${seconds(r.run.wallMs)} (${mb(r.bytes)} MB)`)
        }
        opts.log(`pptx: ${deck.label} run ${i + 1}/${deck.runs}: ${said.join(', ')}`)
      }
      const wall = (m: Mode) => median(result[m].runs.map((r) => r.wallMs))
      const written = (m: Mode) => median(result[m].writtenMs)
      for (const mode of MODES) {
        const walls = result[mode].runs.map((r) => r.wallMs)
        rows.push([
          deck.label,
          mode === 'editable' ? 'editable (default)' : 'picture (`--pptx-mode picture`)',
          String(deck.runs),
          `**${seconds(wall(mode))}**`,
          `${seconds(Math.min(...walls))}–${seconds(Math.max(...walls))}`,
          seconds(written(mode)),
          mb(result[mode].bytes),
          mode === 'editable' ? `**${(wall('editable') / wall('picture')).toFixed(2)}**` : '',
        ])
      }
      const ratio = wall('editable') / wall('picture')
      verdicts.push(
        `- ${deck.label}: editable ÷ picture **${ratio.toFixed(2)}** (process wall; PPTX written at ${seconds(written('editable'))} vs ${seconds(written('picture'))}); ` +
          `editable ${mb(result.editable.bytes)} MB vs picture ${mb(result.picture.bytes)} MB`,
      )
      if (deck.file === project.seed)
        verdicts.push(`  - target: the seed's editable PPTX no slower than its picture PPTX: ${ratio <= 1 ? 'met' : 'not met'}`)
      else
        verdicts.push(
          `  - target: the ${project.slides}-slide PPTX under 2 MB: ${mb(result.editable.bytes)} MB, ${result.editable.bytes < TARGET_BYTES ? 'met' : 'not met'}`,
        )
    }
    const cpus = os.cpus()
    return [
      '### PPTX: editable against picture',
      '',
      `Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}, Node ${process.version}. Each run is \`node bin/deck.js build <deck> -f pptx --pptx-mode <mode>\`, a child process timed from spawn to exit (browser start included); median of the runs, the modes alternating which goes first; before each run the bench waited for other processes to use under ${QUIET.cores} of a core (${seconds(waited)} in all).`,
      '',
      table(['Deck', 'PPTX mode', 'Runs', 'Process wall (median)', 'min–max', 'PPTX written at', 'PPTX MB', 'editable ÷ picture'], rows, [
        'l',
        'l',
        'r',
        'r',
        'r',
        'r',
        'r',
        'r',
      ]),
      '',
      'Issue #12 (reported, not asserted):',
      ...verdicts,
    ].join('\n')
  } finally {
    await project.dispose()
  }
}
