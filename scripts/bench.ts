import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runCleanups } from './bench/measure.js'
import type { BenchOptions, BenchSection } from './bench/options.js'

/**
 * `npm run bench`: runs each bench section and prints one Markdown report on stdout (progress on
 * stderr). A section is one line below: its name for --only, its title, and the compiled module
 * and export that return its Markdown. Modules are loaded at run time and a section whose file
 * is not there yet is reported as skipped, so sections can land independently.
 */
interface SectionEntry {
  name: string
  title: string
  /** Compiled module, relative to lib/scripts/. */
  module: string
  exportName: string
}

const SECTIONS: SectionEntry[] = [
  { name: 'build', title: 'Full build (HTML + PDF + PPTX), ours vs marp-cli', module: './bench/build.js', exportName: 'runBuildBench' },
  { name: 'pptx', title: 'PPTX: editable against picture', module: './bench/pptx.js', exportName: 'runPptxBench' },
  { name: 'watch', title: 'Watch: rebuild after an edit', module: './bench/watch.js', exportName: 'runWatchBench' },
  { name: 'lint', title: 'Lint', module: './bench/lint.js', exportName: 'runLintBench' },
]

const HELP = `Usage: npm run bench -- [options]

Benchmarks our pipeline against marp-cli 4.5.1 and prints a Markdown report on stdout.

Options:
  --runs <n>       Runs per tool and deck (default: 5 for the seed deck, 3 for the generated deck)
  --only <name>    Run one section: ${SECTIONS.map((s) => s.name).join(', ')}
  --slides <n>     Slides in the generated deck (default: 200)
  --quick          One run each and a 40-slide generated deck: checks the bench works, no figures
  -h, --help       Show this help
`

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${value}"`)
  return n
}

async function loadSection(entry: SectionEntry): Promise<BenchSection | undefined> {
  const url = new URL(entry.module, import.meta.url)
  if (!existsSync(fileURLToPath(url))) return undefined
  const mod = (await import(url.href)) as Record<string, unknown>
  const fn = mod[entry.exportName]
  if (typeof fn !== 'function') throw new Error(`${entry.module} does not export a function ${entry.exportName}`)
  return fn as BenchSection
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      only: { type: 'string' },
      slides: { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(HELP)
    return 0
  }
  const quick = values.quick ?? false
  const runs = positive('--runs', values.runs)
  const options: BenchOptions = {
    ...(runs === undefined ? {} : { runs }),
    quick,
    slides: positive('--slides', values.slides) ?? (quick ? 40 : 200),
    log: (line) => process.stderr.write(`${line}\n`),
  }
  const selected = values.only ? SECTIONS.filter((s) => s.name === values.only) : SECTIONS
  if (selected.length === 0) throw new Error(`--only takes one of ${SECTIONS.map((s) => s.name).join(', ')}, got "${values.only}"`)

  const started = performance.now()
  const parts: string[] = [`## Benchmark (${new Date().toISOString().slice(0, 10)}${quick ? ', --quick: not figures to quote' : ''})`]
  let failed = 0
  for (const entry of selected) {
    const run = await loadSection(entry)
    if (!run) {
      options.log(`${entry.name}: skipped (${entry.module} not built yet)`)
      if (values.only) parts.push(`### ${entry.title}\n\nSkipped: ${entry.module} is not there yet.`)
      continue
    }
    options.log(`${entry.name}: running`)
    try {
      parts.push(await run(options))
    } catch (e) {
      failed += 1
      const message = e instanceof Error ? e.message : String(e)
      options.log(`${entry.name}: failed: ${message}`)
      parts.push(`### ${entry.title}\n\nFailed: ${message}`)
    }
  }
  options.log(`bench: done in ${Math.round((performance.now() - started) / 1000)} s`)
  process.stdout.write(`${parts.join('\n\n')}\n`)
  return failed ? 1 : 0
}

// Ctrl-C or a kill must not leave Chromium or temp folders behind.
let stopping = false
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    process.stderr.write(`bench: ${signal}, cleaning up\n`)
    void runCleanups().finally(() => process.exit(130))
  })
}

main(process.argv.slice(2))
  .catch((e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`)
    return 2
  })
  .then(async (code) => {
    await runCleanups()
    process.exitCode = code
  })
