import path from 'node:path'
import { Builder } from '../../src/pipeline/builder.js'
import { defaultBuildOptions } from '../../src/pipeline/types.js'
import { loadDeck } from '../../src/browser/page.js'
import { checkPage } from '../../src/lint/browser-rules.js'
import { LINT_DEFAULTS } from '../../src/lint/config.js'
import { checkContent } from '../../src/lint/content.js'
import { installLint } from '../../src/lint/index.js'
import { reviewFindings } from '../../src/lint/suppress.js'
import { renderDeck } from '../../src/render/render.js'
import { repoRoot, SEED_DECK } from './decks.js'
import { median, table, type BenchOptions } from './options.js'

/**
 * What lint costs beyond the build's own render, on the seed deck, in one process with a warm
 * browser (as in a build or watch mode). Two figures:
 * - in a build: the checks only (content rules, then overflow/code-size/contrast in the print
 *   page the PDF step has loaded anyway);
 * - `deck lint` on its own: everything `inspectDeck` does beyond the render (open a page, load
 *   the deck, run the checks), i.e. the lint's total minus its render.
 * The first run is shown apart: it reads axe-core (650 kB) and warms shiki's cache.
 */
const TARGET_MS = 1500

const ms = (x: number) => `${Math.round(x)} ms`

interface Sample {
  render: number
  load: number
  checks: number
  inspectBeyondRender: number
}

export async function runLintBench(options?: Partial<BenchOptions>): Promise<string> {
  const runs = options?.quick ? 1 : (options?.runs ?? 5)
  const log = options?.log ?? (() => undefined)
  // Read-only on the repository: the seed deck and css/ are used in place, nothing is written.
  const ROOT = repoRoot()
  const SEED = path.join(ROOT, 'slides', SEED_DECK)
  const builder = new Builder(
    defaultBuildOptions(ROOT, {
      outDir: path.join(ROOT, '.bench/lint'),
      formats: ['pdf'],
      fetchRemote: false,
      date: new Date('2000-01-01T00:00:00Z'),
      ...(process.env['CHROME_PATH'] ? { browserPath: process.env['CHROME_PATH'] } : {}),
    }),
  )
  const samples: Sample[] = []
  let findings = 0
  try {
    await builder.init()
    await installLint(builder, LINT_DEFAULTS)
    await builder.browser.browser()
    for (let i = 0; i <= runs; i += 1) {
      log(`lint bench: run ${i + 1} of ${runs + 1}`)
      let t = performance.now()
      const deck = await renderDeck(SEED, builder.renderContext)
      const render = performance.now() - t
      const s: Sample = { render, load: 0, checks: 0, inspectBeyondRender: 0 }
      await builder.browser.withPage(async (page) => {
        t = performance.now()
        await loadDeck(page, deck)
        s.load = performance.now() - t
        t = performance.now()
        const list = reviewFindings(
          deck,
          [...deck.diagnostics, ...checkContent(deck), ...(await checkPage(page, deck, LINT_DEFAULTS))],
          LINT_DEFAULTS,
        )
        s.checks = performance.now() - t
        findings = list.length
      })
      t = performance.now()
      const inspected = await builder.inspectDeck(SEED)
      s.inspectBeyondRender = performance.now() - t - inspected.renderMs
      samples.push(s)
    }
  } finally {
    await builder.close()
  }
  const [first, ...rest] = samples
  const warm = rest.length ? rest : samples
  const med = (k: keyof Sample) => median(warm.map((x) => x[k]))
  const verdict = (x: number) => (x <= TARGET_MS ? 'yes' : 'no')
  const rows = [
    ["Render (the build's own, for scale)", ms(med('render')), ms(first!.render), '—'],
    ['Load the print page (a build does this for the PDF anyway)', ms(med('load')), ms(first!.load), '—'],
    [
      'Lint in a build: content rules + page checks (overflow, code-size, contrast)',
      ms(med('checks')),
      ms(first!.checks),
      verdict(med('checks')),
    ],
    [
      '`deck lint` beyond its render: page + load + checks',
      ms(med('inspectBeyondRender')),
      ms(first!.inspectBeyondRender),
      verdict(med('inspectBeyondRender')),
    ],
  ]
  return [
    `Seed deck (16 slides, ${findings} findings), warm browser, median of ${warm.length} run${warm.length === 1 ? '' : 's'}; target: at most ${TARGET_MS / 1000} s beyond the render.`,
    '',
    table(['Step', 'Median', 'First run', '≤ 1.5 s'], rows, ['l', 'r', 'r', 'l']),
    '',
  ].join('\n')
}
