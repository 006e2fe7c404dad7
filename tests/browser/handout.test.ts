import { execFile } from 'node:child_process'
import { cp, readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import type { DeckResult } from '../../src/pipeline/types.js'
import { readPdf } from '../helpers/outputs.js'
import { buildOptions, FIXTURES, ROOT, SEED, tempProject } from '../helpers/project.js'

// The handout PDF from real builds: pages per layout, the paper, the notes as text, the slides
// as vector drawings (their text extractable, no picture in the file), a bookmark per slide.

const run = promisify(execFile)
const CLI = path.join(ROOT, 'bin/deck.js')

let dir: string
let cleanup: () => Promise<void>
const built: Record<string, DeckResult> = {}
let talk: string
let seed: string
/** What the CLI printed for the 6-up build. */
let sixOutput: string

/** Lines of `pdfimages -list` after its two header lines: the pictures in a PDF. */
async function pictures(file: string): Promise<string[]> {
  const { stdout } = await run('pdfimages', ['-list', file])
  return stdout.trim().split('\n').slice(2)
}

/** The text of one page (1-based), as pdftotext lays it out. */
async function pageText(file: string, page: number): Promise<string> {
  const { stdout } = await run('pdftotext', ['-f', String(page), '-l', String(page), '-layout', file, '-'])
  return stdout
}

const LONG_NOTES = Array.from({ length: 120 }, (_, i) => `Sentence ${i + 1} of notes far too long for a small box.`).join(' ')

beforeAll(async () => {
  const p = await tempProject({
    'slides/long.md': `# Long\n\n<!-- ${LONG_NOTES} -->\n\n---\n\n## Short\n`,
    'slides/quiet.md': `# Quiet\n\n<!-- lint disable handout -->\n\n<!-- ${LONG_NOTES} -->\n`,
  })
  dir = p.dir
  cleanup = p.cleanup
  seed = path.join(dir, 'slides/cni-deep-dive.md')
  talk = path.join(dir, 'slides/talk.md')
  await cp(SEED, seed)
  await cp(path.join(FIXTURES, 'handout/talk.md'), talk)
  // One-up on A4 with the PDF, both from the same render in one warm browser; then six-up on
  // Letter through the CLI.
  const one = new Builder(buildOptions(dir, { formats: ['handout', 'pdf'], handout: { paper: 'a4', layout: 1 } }))
  await one.init()
  try {
    built['seed'] = await one.buildDeck(seed)
    built['talk'] = await one.buildDeck(talk)
  } finally {
    await one.close()
  }
  // The CLI, as a user runs it: flags for the layout and the paper.
  const cli = await run(
    process.execPath,
    [
      CLI,
      'build',
      seed,
      path.join(dir, 'slides/long.md'),
      path.join(dir, 'slides/quiet.md'),
      '-f',
      'handout',
      '--handout-layout',
      '6',
      '--handout-paper',
      'letter',
      '-o',
      'six',
    ],
    { cwd: dir },
  )
  sixOutput = cli.stdout + cli.stderr
})

afterAll(async () => {
  await cleanup?.()
})

describe('handout PDF', () => {
  it('has one A4 page per slide in the 1-up layout, a bookmark per slide, the deck title and page numbers in the footer', async () => {
    expect(built['seed']!.errors).toEqual([])
    const out = path.join(dir, 'dist/cni-deep-dive.handout.pdf')
    expect(built['seed']!.outputs.map((o) => path.relative(dir, o.file))).toEqual([
      'dist/cni-deep-dive.handout.pdf',
      'dist/cni-deep-dive.pdf',
    ])
    const pdf = await readPdf(out)
    expect(pdf.pages).toBe(16)
    // A4 is 595.28 x 841.89 pt; Chromium rounds the page to whole CSS pixels.
    for (const size of pdf.sizes) {
      expect(size.width).toBeCloseTo(595.3, 0)
      expect(size.height).toBeCloseTo(841.9, 0)
    }
    expect(pdf.title).toBe('Deep dive into CNI')
    expect(pdf.outline).toHaveLength(16)
    expect(pdf.outline[0]).toBe('1. Deep dive into CNI')
    expect(pdf.outline[3]).toBe('4. Multus architecture')
    expect(pdf.text[15]).toContain('Deep dive into CNI')
    expect(pdf.text[15]).toMatch(/16 \/ 16/)
  })

  it('draws the slides as vectors: their text is extractable on their page, and the file holds no picture', async () => {
    const out = path.join(dir, 'dist/cni-deep-dive.handout.pdf')
    // A line of slide 3's body (not its title, which the caption repeats).
    expect(await pageText(out, 3)).toContain('ovn-org/ovn-kubernetes')
    expect(await pageText(out, 4)).toContain('cat foo.sh')
    expect(await pictures(out)).toEqual([])
    expect(await pictures(path.join(dir, 'dist/talk.handout.pdf'))).toEqual([])
  })

  it('prints the notes as selectable text with their Markdown rendered, raw HTML as text', async () => {
    expect(built['talk']!.errors).toEqual([])
    const out = path.join(dir, 'dist/talk.handout.pdf')
    const pdf = await readPdf(out)
    expect(pdf.pages).toBe(5)
    const page1 = await pageText(out, 1)
    expect(page1).toContain('Welcome everyone. Introduce yourself in one sentence, then ask:')
    expect(page1).toContain('who deployed to production this week?')
    expect(page1).toContain('Keep the intro under 90 seconds')
    // Markdown's emphasis is a bold font, not asterisks.
    expect(page1).not.toContain('**')
    expect(await pageText(out, 2)).toMatch(/1\. Show the calendar from last quarter\./)
    expect(await pageText(out, 3)).toContain('Raw HTML in a note stays text: <b>not bold</b>.')
    expect(pdf.outline).toEqual(['1. Shipping with confidence', '2. Why release trains', '3. Feature flags', '4. Slide 4', '5. Questions'])
    expect(pdf.author).toBe('Ada Example')
  })

  it('puts six slides on a Letter page with --handout-layout 6: ceil(16 / 6) = 3 pages, bookmarks to the page of each slide', async () => {
    const out = path.join(dir, 'six/cni-deep-dive.handout.pdf')
    expect(sixOutput).toContain('slides/cni-deep-dive.md => six/cni-deep-dive.handout.pdf')
    const pdf = await readPdf(out)
    expect(pdf.pages).toBe(3)
    for (const size of pdf.sizes) {
      expect(size.width).toBeCloseTo(612, 0)
      expect(size.height).toBeCloseTo(792, 0)
    }
    expect(pdf.outline).toHaveLength(16)
    expect(pdf.text[2]).toMatch(/3 \/ 3/)
    expect(await pictures(out)).toEqual([])
  })

  it('shrinks notes that do not fit, and warns at the slide when they are still cut', async () => {
    expect(sixOutput).toMatch(
      /slides\/long\.md:1 \(slide 1\): warning: the notes of slide 1 do not fit under it in the 6-up handout.*\[handout\]/,
    )
    expect(sixOutput).not.toMatch(/long\.md:\d+ \(slide 2\)/)
    // `lint disable handout` on a slide turns the finding off there.
    expect(sixOutput).toContain('six/quiet.handout.pdf')
    expect(sixOutput).not.toMatch(/quiet\.md:\d+/)
    const text = await pageText(path.join(dir, 'six/long.handout.pdf'), 1)
    expect(text).toContain('Sentence 1 of notes')
    expect(text).not.toContain('Sentence 120 of notes')
    // Cut after a whole line, and marked so.
    expect(text).toContain('…')
  })

  it('gives the same bytes for the same deck', async () => {
    const first = await readFile(path.join(dir, 'dist/talk.handout.pdf'))
    const again = new Builder(
      buildOptions(dir, { formats: ['handout'], handout: { paper: 'a4', layout: 1 }, outDir: path.join(dir, 'again') }),
    )
    await again.init()
    try {
      expect((await again.buildDeck(talk)).errors).toEqual([])
    } finally {
      await again.close()
    }
    expect((await readFile(path.join(dir, 'again/talk.handout.pdf'))).equals(first)).toBe(true)
  })
})
