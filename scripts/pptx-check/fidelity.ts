import { readdirSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Builder } from '../../src/pipeline/builder.js'
import { defaultBuildOptions, type BuildOptions } from '../../src/pipeline/types.js'
import { pdfPageTexts, rasterize, rmse } from './raster.js'
import { convertToPdf, extractEmbeddedFonts, findSoffice, LIBREOFFICE_PACKAGE } from './soffice.js'
import { readSlides, textOverlap, type TextFigure } from './text.js'

/*
 * The PPTX fidelity check (issue #12): each deck is built to PDF and PPTX by our pipeline, the
 * PPTX is converted to PDF by LibreOffice, and both PDFs are rasterised at the same size and
 * compared page by page (RMSE, 0..1), while each slide's text runs are compared with the text
 * pdftotext finds on our PDF's page (text.ts defines the figure). Thresholds: mean RMSE ≤ 0.06
 * and no slide over 0.15; ≥ 98 % of the characters found on every deck.
 */

export const THRESHOLDS = { meanRmse: 0.06, maxRmse: 0.15, text: 0.98 } as const

/** Width of the compared pictures, px (the height follows the page). */
export const RASTER_WIDTH = 960

export interface SlideFigure {
  slide: number
  rmse: number
  text: TextFigure
  /** Text runs and pictures on the PPTX slide. */
  runs: number
  pictures: number
}

export interface DeckFigures {
  deck: string
  /** Pages of our PDF, slides of the PPTX, pages LibreOffice made of the PPTX. */
  pages: number
  pptxSlides: number
  libreOfficePages: number
  slides: SlideFigure[]
  meanRmse: number
  maxRmse: number
  /** Characters found over all slides (Σ found / Σ PDF characters). */
  text: number
  pptxBytes: number
  /** Fonts embedded in the PPTX (handed to LibreOffice). */
  embeddedFonts: number
  /** The files, when kept (`keepDir`). */
  files?: { pdf: string; pptx: string; libreOfficePdf: string }
}

export interface CheckOptions {
  decks: string[]
  /** The project the decks belong to (its css/ and images): the repository root for ours. */
  root: string
  /** Build options over the defaults (e.g. the PPTX mode). */
  build?: Partial<BuildOptions>
  /** Keep the outputs here (for contact sheets); default: a temp folder, removed. */
  keepDir?: string
  /** Compare pictures this wide. */
  width?: number
  log?: (line: string) => void
}

/** The repository root, from lib/scripts/ (compiled) or scripts/ (run from source). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!readdirSync(dir).includes('package.json')) dir = path.dirname(dir)
  return dir
}

/** The decks the check covers by default: the seed, then every fixture deck. */
export function defaultDecks(root: string): string[] {
  const fixtures = path.join(root, 'tests/fixtures/pptx')
  const decks = readdirSync(fixtures)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => path.join(fixtures, f))
  return [path.join(root, 'slides/cni-deep-dive.md'), ...decks]
}

/** Why the check cannot run here, or undefined when it can. */
export function cannotRun(): string | undefined {
  if (!findSoffice())
    return `LibreOffice is not installed: install the Debian package ${LIBREOFFICE_PACKAGE} (scripts/install-pptx-check.sh)`
  return undefined
}

export async function checkDecks(opts: CheckOptions): Promise<DeckFigures[]> {
  const soffice = findSoffice()
  if (!soffice) throw new Error(cannotRun())
  const log = opts.log ?? (() => undefined)
  const work = opts.keepDir ?? (await mkdtemp(path.join(os.tmpdir(), 'deck-pptx-check-')))
  const outDir = path.join(work, 'out')
  const loDir = path.join(work, 'libreoffice')
  const fontDir = path.join(work, 'fonts')
  await Promise.all([outDir, loDir, fontDir].map((d) => mkdir(d, { recursive: true })))
  try {
    const builder = new Builder(
      defaultBuildOptions(opts.root, {
        inputDir: opts.root,
        outDir,
        formats: ['pdf', 'pptx'],
        fetchRemote: false,
        date: new Date('2000-01-01T00:00:00Z'),
        browserTimeoutMs: 120_000,
        ...opts.build,
      }),
    )
    const built: Array<{ deck: string; pdf: string; pptx: string }> = []
    try {
      await builder.init()
      for (const deck of opts.decks) {
        const started = performance.now()
        const result = await builder.buildDeck(path.resolve(deck))
        if (result.errors.length) throw new Error(`${deck}: the build failed: ${String(result.errors[0])}`)
        const file = (f: string) => result.outputs.find((o) => o.format === f)?.file
        const pdf = file('pdf')
        const pptx = file('pptx')
        if (!pdf || !pptx) throw new Error(`${deck}: no PDF or PPTX was written`)
        built.push({ deck, pdf, pptx })
        log(`built ${path.relative(opts.root, deck)} in ${Math.round(performance.now() - started)} ms`)
      }
    } finally {
      await builder.close()
    }

    const slides = await Promise.all(built.map(async (b) => readSlides(await readFile(b.pptx))))
    let fonts = 0
    const embedded: number[] = []
    for (const [i, s] of slides.entries()) {
      const n = await extractEmbeddedFonts(s.zip, fontDir, `deck${i}`)
      embedded.push(n)
      fonts += n
    }
    const started = performance.now()
    await convertToPdf(
      soffice,
      built.map((b) => b.pptx),
      loDir,
      fonts ? { fontDir } : {},
    )
    log(`LibreOffice converted ${built.length} PPTX in ${Math.round(performance.now() - started)} ms`)

    const figures: DeckFigures[] = []
    for (const [i, b] of built.entries()) {
      const name = path.basename(b.pptx, '.pptx')
      const loPdf = path.join(loDir, `${name}.pdf`)
      const rasterDir = path.join(work, 'raster', `${i}`)
      await mkdir(path.join(rasterDir, 'ours'), { recursive: true })
      await mkdir(path.join(rasterDir, 'lo'), { recursive: true })
      const ours = await rasterize(b.pdf, path.join(rasterDir, 'ours'), { width: opts.width ?? RASTER_WIDTH })
      const height = ours[0]?.height ?? Math.round(((opts.width ?? RASTER_WIDTH) * 9) / 16)
      const lo = await rasterize(loPdf, path.join(rasterDir, 'lo'), { width: opts.width ?? RASTER_WIDTH, height })
      const texts = await pdfPageTexts(b.pdf, ours.length)
      const s = slides[i]!
      const perSlide: SlideFigure[] = ours.map((page, k) => ({
        slide: k + 1,
        // A page LibreOffice did not make counts as wholly different.
        rmse: lo[k] ? rmse(page, lo[k]) : 1,
        text: textOverlap(s.texts[k] ?? '', texts[k] ?? ''),
        runs: s.runs[k] ?? 0,
        pictures: s.pictures[k] ?? 0,
      }))
      const sum = perSlide.reduce((t, x) => ({ found: t.found + x.text.found, all: t.all + x.text.pdfChars }), { found: 0, all: 0 })
      figures.push({
        deck: b.deck,
        pages: ours.length,
        pptxSlides: s.texts.length,
        libreOfficePages: lo.length,
        slides: perSlide,
        meanRmse: perSlide.reduce((t, x) => t + x.rmse, 0) / Math.max(1, perSlide.length),
        maxRmse: Math.max(0, ...perSlide.map((x) => x.rmse)),
        text: sum.all ? sum.found / sum.all : 1,
        pptxBytes: (await readFile(b.pptx)).byteLength,
        embeddedFonts: embedded[i]!,
        ...(opts.keepDir ? { files: { pdf: b.pdf, pptx: b.pptx, libreOfficePdf: loPdf } } : {}),
      })
      if (!opts.keepDir) await rm(rasterDir, { recursive: true, force: true })
    }
    return figures
  } finally {
    if (!opts.keepDir) await rm(work, { recursive: true, force: true })
  }
}

/** What fails the thresholds, one line each; empty when the deck passes. */
export function failures(f: DeckFigures): string[] {
  const out: string[] = []
  const name = path.basename(f.deck)
  if (f.pptxSlides !== f.pages) out.push(`${name}: ${f.pptxSlides} PPTX slides for ${f.pages} PDF pages`)
  if (f.libreOfficePages !== f.pages) out.push(`${name}: LibreOffice made ${f.libreOfficePages} pages of ${f.pages} slides`)
  if (f.meanRmse > THRESHOLDS.meanRmse) out.push(`${name}: mean RMSE ${f.meanRmse.toFixed(4)} > ${THRESHOLDS.meanRmse}`)
  for (const s of f.slides)
    if (s.rmse > THRESHOLDS.maxRmse) out.push(`${name}: slide ${s.slide} RMSE ${s.rmse.toFixed(4)} > ${THRESHOLDS.maxRmse}`)
  if (f.text < THRESHOLDS.text)
    out.push(`${name}: ${(f.text * 100).toFixed(1)} % of the PDF's characters in the text runs < ${THRESHOLDS.text * 100} %`)
  return out
}

/** The per-deck table the test and `npm run pptx-check` print. */
export function figuresTable(all: DeckFigures[], root: string): string {
  const rows = all.map((f) => [
    path.relative(root, f.deck),
    String(f.pages),
    f.meanRmse.toFixed(4),
    `${f.maxRmse.toFixed(4)} (slide ${f.slides.reduce((m, s) => (s.rmse > m.rmse ? s : m), f.slides[0]!).slide})`,
    `${(f.text * 100).toFixed(1)} %`,
    String(f.slides.reduce((t, s) => t + s.runs, 0)),
    String(f.slides.reduce((t, s) => t + s.pictures, 0)),
    String(f.embeddedFonts),
    `${(f.pptxBytes / 1024).toFixed(0)} KB`,
  ])
  const header = ['deck', 'slides', 'mean RMSE', 'max RMSE', 'text %', 'runs', 'pictures', 'fonts', 'PPTX']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}
