import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { promisify } from 'node:util'
import { PPTX_MODES, type PptxMode } from '../src/config/options.js'
import { cannotRun, checkDecks, defaultDecks, figuresTable, repoRoot } from './pptx-check/fidelity.js'

const run = promisify(execFile)

/**
 * `npm run pptx-sheets [-- --slide N] [--mode picture]`: contact sheets of the PPTX fidelity
 * check in docs/: for each deck of the check (the seed and tests/fixtures/pptx/*.md),
 * docs/pptx-<deck>.png shows each slide as LibreOffice renders our PPTX (left) beside the same
 * page of our PDF (right), with the slide's RMSE; and docs/pptx-vs-pdf.png shows one slide of the
 * seed (--slide, default 10) larger, for the README; the check's figures go to stdout. Needs
 * LibreOffice, poppler-utils and ImageMagick (`montage`).
 */

const SHEET_WIDTH = 480
const FEATURE_WIDTH = 800

async function pages(pdf: string, dir: string, width: number): Promise<string[]> {
  await mkdir(dir, { recursive: true })
  await run('pdftoppm', ['-png', '-scale-to-x', String(width), '-scale-to-y', '-1', pdf, path.join(dir, 'p')], { timeout: 120_000 })
  const files = (await readdir(dir)).filter((f) => /^p-\d+\.png$/.test(f))
  files.sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
  return files.map((f) => path.join(dir, f))
}

async function montage(tiles: Array<{ file: string; label: string }>, out: string, title: string): Promise<void> {
  // ImageMagick reads % in a label as an escape.
  const text = (s: string) => s.replace(/%/g, '%%')
  const args = ['-background', '#f4f4f4', '-font', 'DejaVu-Sans', '-pointsize', '13']
  for (const t of tiles) args.push('-label', text(t.label), t.file)
  args.push('-tile', '2x', '-geometry', '+6+6', '-title', text(title), '-strip', out)
  await run('montage', args, { timeout: 120_000, maxBuffer: 16 * 2 ** 20 })
}

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { slide: { type: 'string' }, mode: { type: 'string' } } })
  const why = cannotRun()
  if (why) {
    process.stderr.write(`pptx-sheets: ${why}\n`)
    return 3
  }
  const mode = values.mode
  if (mode !== undefined && !(PPTX_MODES as readonly string[]).includes(mode)) throw new Error(`--mode takes ${PPTX_MODES.join(' or ')}`)
  const feature = Number(values.slide ?? 10)
  const root = repoRoot()
  const work = await mkdtemp(path.join(os.tmpdir(), 'deck-pptx-sheets-'))
  try {
    const figures = await checkDecks({
      decks: defaultDecks(root),
      root,
      keepDir: work,
      ...(mode ? { build: { pptxMode: mode as PptxMode } } : {}),
      log: (line) => process.stderr.write(`pptx-sheets: ${line}\n`),
    })
    process.stdout.write(`${figuresTable(figures, root)}\n`)
    for (const [i, f] of figures.entries()) {
      const name = path.basename(f.deck, '.md')
      const ours = await pages(f.files!.pdf, path.join(work, 'sheet', `${i}`, 'pdf'), SHEET_WIDTH)
      const lo = await pages(f.files!.libreOfficePdf, path.join(work, 'sheet', `${i}`, 'lo'), SHEET_WIDTH)
      const tiles = ours.flatMap((pdf, k) => [
        { file: lo[k] ?? pdf, label: `${k + 1}. PPTX in LibreOffice (RMSE ${f.slides[k]!.rmse.toFixed(3)})` },
        { file: pdf, label: `${k + 1}. PDF` },
      ])
      const out = path.join(root, 'docs', `pptx-${name}.png`)
      const title = `${path.relative(root, f.deck)}: PPTX via LibreOffice (left) vs PDF (right); mean RMSE ${f.meanRmse.toFixed(3)}, text ${(f.text * 100).toFixed(1)} %`
      await montage(tiles, out, title)
      process.stderr.write(`pptx-sheets: wrote ${path.relative(root, out)}\n`)
      if (i === 0) {
        const big = path.join(work, 'feature')
        const bigOurs = await pages(f.files!.pdf, path.join(big, 'pdf'), FEATURE_WIDTH)
        const bigLo = await pages(f.files!.libreOfficePdf, path.join(big, 'lo'), FEATURE_WIDTH)
        const k = Math.min(Math.max(1, feature), bigOurs.length) - 1
        const featureOut = path.join(root, 'docs', 'pptx-vs-pdf.png')
        await montage(
          [
            { file: bigLo[k]!, label: `Editable PPTX, as LibreOffice shows it (RMSE ${f.slides[k]!.rmse.toFixed(3)})` },
            { file: bigOurs[k]!, label: 'PDF' },
          ],
          featureOut,
          `${path.relative(root, f.deck)}, slide ${k + 1}`,
        )
        process.stderr.write(`pptx-sheets: wrote ${path.relative(root, featureOut)}\n`)
      }
    }
    return 0
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`pptx-sheets: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = 2
  },
)
