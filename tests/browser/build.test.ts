import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { load } from 'cheerio'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import { type DeckResult } from '../../src/pipeline/types.js'
import { sortDiagnostics } from '../../src/util/diagnostics.js'
import { installLint } from '../../src/lint/index.js'
import { buildOptions, FIXTURES, ROOT, SEED, tempProject } from '../helpers/project.js'
import { embeddedFonts, pngSize, readPdf, readPptx, topLeftPixel } from '../helpers/outputs.js'
import { alive, commandLine, descendants } from '../helpers/processes.js'

const run = promisify(execFile)
const CLI = path.join(ROOT, 'bin/deck.js')

let dir: string
let cleanup: () => Promise<void>
let builder: Builder
let seed: DeckResult
let features: DeckResult

beforeAll(async () => {
  const p = await tempProject()
  dir = p.dir
  cleanup = p.cleanup
  await cp(SEED, path.join(dir, 'slides/cni-deep-dive.md'))
  await cp(path.join(FIXTURES, 'compat'), path.join(dir, 'slides/compat'), { recursive: true })
  await cp(path.join(FIXTURES, 'shared-img'), path.join(dir, 'slides/shared-img'), { recursive: true })
  // The picture deck (the editable one: tests/browser/pptx-editable.test.ts).
  builder = new Builder(buildOptions(dir, { formats: ['html', 'pdf', 'pptx', 'png'], pdfNotes: true, pptxMode: 'picture' }))
  await builder.init()
  seed = await builder.buildDeck(path.join(dir, 'slides/cni-deep-dive.md'))
  features = await builder.buildDeck(path.join(dir, 'slides/compat/features.md'))
})

afterAll(async () => {
  await builder?.close()
  await cleanup?.()
})

describe('the seed deck', () => {
  it('builds every format without errors, reporting the front-matter flaw', () => {
    expect(seed.errors).toEqual([])
    expect(seed.outputs.map((o) => path.relative(dir, o.file)).filter((f) => !f.endsWith('.png'))).toEqual([
      'dist/cni-deep-dive.html',
      'dist/cni-deep-dive.pdf',
      'dist/cni-deep-dive.pptx',
    ])
    expect(seed.diagnostics.find((d) => d.rule === 'front-matter')?.line).toBe(6)
  })

  it('prints a 16-page 16:9 PDF with its title, text, bookmarks and fonts', async () => {
    const pdf = await readPdf(path.join(dir, 'dist/cni-deep-dive.pdf'))
    expect(pdf.pages).toBe(16)
    for (const size of pdf.sizes) expect(size).toEqual({ width: 960, height: 540 })
    expect(pdf.title).toBe('Deep dive into CNI')
    expect(pdf.text[0]).toContain('Deep dive into')
    expect(pdf.text[0]).toContain('CNI')
    expect(pdf.text[8]).toContain('VirtualMachine')
    expect(pdf.outline).toHaveLength(16)
    expect(pdf.outline[1]).toBe('Presentation Outline')
    const fonts = await embeddedFonts(path.join(dir, 'dist/cni-deep-dive.pdf'))
    expect(fonts.some((f) => f.startsWith('Inter'))).toBe(true)
    expect(fonts.some((f) => f.startsWith('JetBrainsMono'))).toBe(true)
  })

  it('packs a 16-slide 16:9 PPTX with 2x pictures and the title', async () => {
    const pptx = await readPptx(path.join(dir, 'dist/cni-deep-dive.pptx'))
    expect(pptx.slides).toBe(16)
    expect(pptx.size.cx / pptx.size.cy).toBeCloseTo(16 / 9, 3)
    expect(pptx.title).toBe('Deep dive into CNI')
    expect(pptx.images).toHaveLength(16)
    for (const img of pptx.images) expect(img).toEqual({ width: 2560, height: 1440 })
  })

  it('writes one PNG per slide at the requested scale', async () => {
    const pngs = (await readdir(path.join(dir, 'dist'))).filter((f) => /^cni-deep-dive\.\d{3}\.png$/.test(f)).sort()
    expect(pngs).toHaveLength(16)
    expect(pngs[0]).toBe('cni-deep-dive.001.png')
    expect(pngSize(await readFile(path.join(dir, 'dist', pngs[0]!)))).toEqual({ width: 1280, height: 720 })
  })

  it('writes a self-contained interactive HTML deck with keyboard navigation', async () => {
    const html = await readFile(path.join(dir, 'dist/cni-deep-dive.html'), 'utf8')
    const $ = load(html)
    expect($('title').text()).toBe('Deep dive into CNI')
    expect($('section[id]')).toHaveLength(16)
    expect($('.bespoke-marp-osc').length).toBe(1)
    expect($('script[src], link[href]').length).toBe(0)
    expect(html).not.toMatch(/url\((["']|&quot;)?https?:/)
    expect(html).not.toMatch(/unpkg|jsdelivr|cdnjs/)
    // In a real browser: arrow keys move on and the slide number is in the URL.
    const hash = await builder.browser.withPage(async (page) => {
      await page.goto(pathToFileURL(path.join(dir, 'dist/cni-deep-dive.html')).href, { waitUntil: 'load' })
      await page.keyboard.press('ArrowRight')
      await page.keyboard.press('ArrowRight')
      await page.waitForFunction(() => location.hash === '#3')
      return page.evaluate(() => location.hash)
    })
    expect(hash).toBe('#3')
  })
})

describe('a deck using marp-cli features', () => {
  it('carries speaker notes into the PPTX notes pane, the PDF annotations and the HTML presenter view', async () => {
    expect(features.errors).toEqual([])
    const pptx = await readPptx(path.join(dir, 'dist/compat/features.pptx'))
    expect(pptx.slides).toBe(5)
    expect(pptx.notes[0]).toBe('Speaker note for slide one')
    expect(pptx.notes[3]).toContain('Second note,')
    expect(pptx.notes[1]).toBe('')
    const pdf = await readPdf(path.join(dir, 'dist/compat/features.pdf'))
    expect(pdf.pages).toBe(5)
    expect(pdf.author).toBe('Test Author')
    expect(pdf.annotations[0]).toEqual(['Speaker note for slide one'])
    expect(pdf.text[3]).toContain('Parent folder image')
    const $ = load(await readFile(path.join(dir, 'dist/compat/features.html'), 'utf8'))
    expect($('.bespoke-marp-note[data-index="0"]').text()).toContain('Speaker note for slide one')
    // Images relative to the deck, including ../, are embedded.
    expect($('img:not(.emoji)').attr('src')).toMatch(/^data:image\/png;base64,/)
  })
})

describe('slide pictures', () => {
  it('shows each slide in its own picture, in order, at both scales, from the two windows that share the shots', async () => {
    // Twelve slides (enough for the second window) with a distinct background each.
    const colours = Array.from({ length: 12 }, (_, i) => `#${(0x102030 + i * 0x0b0d07).toString(16).padStart(6, '0')}`)
    const deck = [
      '---',
      'marp: true',
      '---',
      '',
      colours.map((c, i) => `<!-- _backgroundColor: "${c}" -->\n\n# Slide ${i + 1}`).join('\n\n---\n\n'),
      '',
    ].join('\n')
    const project = await tempProject({ 'slides/colours.md': deck })
    try {
      const builder = new Builder(buildOptions(project.dir, { formats: ['pptx', 'png'], pptxMode: 'picture' }))
      try {
        await builder.init()
        const result = await builder.buildDeck(path.join(project.dir, 'slides/colours.md'))
        expect(result.errors).toEqual([])
      } finally {
        await builder.close()
      }
      const pptx = await readPptx(path.join(project.dir, 'dist/colours.pptx'))
      expect(pptx.pictures.map(topLeftPixel)).toEqual(colours)
      const pngs = await Promise.all(
        colours.map((_, i) => readFile(path.join(project.dir, `dist/colours.${String(i + 1).padStart(3, '0')}.png`))),
      )
      expect(pngs.map(topLeftPixel)).toEqual(colours)
      expect(pngSize(pngs[0]!)).toEqual({ width: 1280, height: 720 })
      expect(pptx.images[0]).toEqual({ width: 2560, height: 1440 })
    } finally {
      await project.cleanup()
    }
  })
})

describe('a big deck, checked and shot a chunk of slides at a time', () => {
  it('gives every slide its own picture and the same findings as checking the whole page', async () => {
    // 60 slides (from 48 on, a build works in chunks): each its own background colour; slides 7
    // and 55 overflow, slide 30 is grey on grey.
    const colours = Array.from({ length: 60 }, (_, i) => `#${(0x10a020 + i * 0x030207).toString(16).padStart(6, '0')}`)
    colours[29] = '#777777'
    const long = Array.from({ length: 25 }, (_, i) => `Line ${i + 1} of a slide that is far too long`).join('\n\n')
    const slide = (c: string, i: number) =>
      [
        `<!-- _backgroundColor: "${c}" -->`,
        i === 29 ? '<!-- _color: "#808080" -->' : '',
        `# Slide ${i + 1}`,
        i === 6 || i === 54 ? long : '',
      ]
        .filter(Boolean)
        .join('\n\n')
    const md = ['---', 'marp: true', '---', '', colours.map(slide).join('\n\n---\n\n'), ''].join('\n')
    const project = await tempProject({ 'slides/big.md': md })
    try {
      const big = new Builder(buildOptions(project.dir, { formats: ['png'] }))
      try {
        await big.init()
        await installLint(big)
        const file = path.join(project.dir, 'slides/big.md')
        const built = await big.buildDeck(file)
        expect(built.errors).toEqual([])
        // `deck lint` checks the whole page at once: the reference.
        const whole = await big.inspectDeck(file)
        const brief = (r: DeckResult) => sortDiagnostics(r.diagnostics).map((d) => `${d.rule} ${d.slide} ${d.line}`)
        expect(brief(built)).toEqual(brief(whole))
        expect(
          brief(built)
            .filter((d) => d.startsWith('overflow'))
            .map((d) => d.split(' ')[1]),
        ).toEqual(['7', '55'])
        expect(brief(built).some((d) => d.startsWith('contrast 30 '))).toBe(true)
      } finally {
        await big.close()
      }
      const pngs = await Promise.all(
        colours.map((_, i) => readFile(path.join(project.dir, `dist/big.${String(i + 1).padStart(3, '0')}.png`))),
      )
      expect(pngs.map(topLeftPixel)).toEqual(colours)
    } finally {
      await project.cleanup()
    }
  })

  it('reads the editable PPTX a chunk of slides at a time into the same package as reading the whole page', async () => {
    // 60 slides, with pictures (emoji) in the first, a middle and the last chunk, so the chunks'
    // picture ids must join as one read of the whole page numbers them.
    const slide = (i: number) => [`# Slide ${i + 1}`, `Text of slide ${i + 1}${[2, 29, 57].includes(i) ? ' 🚀 and 🎉' : ''}`].join('\n\n')
    const md = ['---', 'marp: true', '---', '', Array.from({ length: 60 }, (_, i) => slide(i)).join('\n\n---\n\n'), ''].join('\n')
    const project = await tempProject({ 'slides/big.md': md })
    try {
      const file = path.join(project.dir, 'slides/big.md')
      const packages: Buffer[] = []
      // A one-shot build reads in chunks; watch mode (kept pages) reads the whole print page.
      for (const [keepPages, out] of [
        [false, 'chunked'],
        [true, 'whole'],
      ] as const) {
        const big = new Builder(buildOptions(project.dir, { formats: ['pptx'], outDir: path.join(project.dir, out) }))
        big.keepPages = keepPages
        try {
          await big.init()
          expect((await big.buildDeck(file)).errors).toEqual([])
        } finally {
          await big.close()
        }
        packages.push(await readFile(path.join(project.dir, out, 'big.pptx')))
      }
      const pptx = await readPptx(path.join(project.dir, 'chunked/big.pptx'))
      expect(pptx.slides).toBe(60)
      expect(pptx.pictures.length).toBeGreaterThan(0)
      expect(packages[0]!.equals(packages[1]!)).toBe(true)
    } finally {
      await project.cleanup()
    }
  })
})

describe('guarantees', () => {
  it('gives the same bytes for the same input', async () => {
    // The same options as the first build's (picture PPTX; the editable one has its own test).
    const other = new Builder(buildOptions(dir, { pptxMode: 'picture', outDir: path.join(dir, 'dist2') }), builder.browser)
    await other.init()
    const again = await other.buildDeck(path.join(dir, 'slides/cni-deep-dive.md'))
    expect(again.errors).toEqual([])
    for (const ext of ['html', 'pdf', 'pptx']) {
      const a = await readFile(path.join(dir, `dist/cni-deep-dive.${ext}`))
      const b = await readFile(path.join(dir, `dist2/cni-deep-dive.${ext}`))
      expect(a.equals(b), ext).toBe(true)
    }
  })

  it('fetches nothing from the network: emoji, math and code are all local', async () => {
    const fetchSpy = vi.fn(() => Promise.reject(new Error('network is blocked in this test')))
    vi.stubGlobal('fetch', fetchSpy)
    try {
      const before = builder.browser.blockedRequests.length
      const result = await builder.buildDeck(path.join(dir, 'slides/compat/features.md'))
      expect(result.errors).toEqual([])
      const html = await readFile(path.join(dir, 'dist/compat/features.html'), 'utf8')
      expect(html).toContain('<mjx-container')
      await builder.browser.withPage(async (page) => {
        await page.goto(pathToFileURL(path.join(dir, 'dist/compat/features.html')).href, { waitUntil: 'load' })
        await page.evaluate(() => document.fonts.ready)
      })
      expect(builder.browser.blockedRequests.slice(before)).toEqual([])
      expect(fetchSpy).not.toHaveBeenCalled()
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('builds several decks at once in one Chromium without stalling a page', async () => {
    // Pages of one window would hide each other and stop rendering frames (which Marp's
    // auto-scaling waits for); each job has a window of its own.
    const decks = ['features.md', 'four-three.md', 'raw-html.md'].map((f) => path.join(dir, 'slides/compat', f))
    const results = await Promise.all(decks.map((d) => builder.buildDeck(d, ['pdf'])))
    expect(results.map((r) => r.errors)).toEqual([[], [], []])
    expect((await readPdf(path.join(dir, 'dist/compat/four-three.pdf'))).sizes[0]).toEqual({ width: 720, height: 540 })
  })

  it('keeps the last good outputs when a deck fails, and other decks still build', async () => {
    const deck = path.join(dir, 'slides/compat/four-three.md')
    const first = await builder.buildDeck(deck, ['html', 'pdf'])
    expect(first.errors).toEqual([])
    const pdf = path.join(dir, 'dist/compat/four-three.pdf')
    const before = await readFile(pdf)
    const source = await readFile(deck, 'utf8')
    await rm(deck)
    const failed = await builder.buildDeck(deck, ['html', 'pdf'])
    expect(failed.errors).toHaveLength(1)
    expect(String(failed.errors[0])).toContain('cannot read deck')
    expect((await readFile(pdf)).equals(before)).toBe(true)
    await writeFile(deck, source)
    const other = await builder.buildDeck(path.join(dir, 'slides/compat/raw-html.md'), ['pdf'])
    expect(other.errors).toEqual([])
  })
})

describe('the deck command', () => {
  it('builds a deck anywhere on disk, with spaces and non-ASCII in its path, and prints one line per output', async () => {
    const odd = path.join(dir, 'My Décks', 'présentation 1.md')
    await cp(path.join(FIXTURES, 'compat/four-three.md'), odd)
    const out = path.join(dir, 'other out')
    const { stderr } = await run('node', [CLI, 'build', odd, '--format', 'pdf,html', '--out', out], { cwd: dir })
    expect(stderr).toMatch(/présentation 1\.md => .*présentation 1\.pdf \(\d/)
    expect(stderr).toMatch(/1 deck built: 2 outputs/)
    expect((await readPdf(path.join(out, 'présentation 1.pdf'))).pages).toBe(2)
    expect((await stat(path.join(out, 'présentation 1.html'))).size).toBeGreaterThan(1000)
  })

  it('takes extra themes from --theme-set, as marp-cli does', async () => {
    await writeFile(
      path.join(dir, 'brand.css'),
      '/* @theme brand */\n@import "default";\nsection { background: #123456; color: #ffffff }\n',
    )
    const deck = path.join(dir, 'branded.md')
    await writeFile(deck, '---\nmarp: true\ntheme: brand\n---\n\n# Branded\n')
    const out = path.join(dir, 'branded-out')
    const { stderr } = await run('node', [CLI, 'build', deck, '--theme-set', 'brand.css', '--format', 'html', '--out', out], { cwd: dir })
    expect(stderr).not.toContain('[theme]')
    const html = await readFile(path.join(out, 'branded.html'), 'utf8')
    expect(load(html)('section[id]').attr('data-theme')).toBe('brand')
    expect(html).toContain('#123456')
  })

  it.each(['SIGINT', 'SIGTERM'] as const)(
    "on %s mid-build exits with the shell's code and leaves no Chromium and no profile folder",
    async (signal) => {
      const child = spawn('node', [CLI, 'build', SEED, '--format', 'pdf,pptx', '--out', path.join(dir, `signal-${signal}`)], {
        cwd: dir,
        stdio: 'ignore',
      })
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      // Wait until Chromium runs (its command line names its profile folder), then interrupt.
      let chromium: number[] = []
      for (const deadline = Date.now() + 20_000; !chromium.length && Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
        chromium = descendants(child.pid!).filter((p) => commandLine(p).includes('--user-data-dir='))
      }
      expect(chromium.length).toBeGreaterThan(0)
      const profile = /--user-data-dir=(\S+)/.exec(commandLine(chromium[0]!))![1]!
      child.kill(signal)
      expect(await exited).toBe(signal === 'SIGINT' ? 130 : 143)
      // Killed processes linger until reaped; give them a moment.
      for (const deadline = Date.now() + 5000; chromium.some(alive) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50))
      expect(chromium.filter(alive)).toEqual([])
      expect(existsSync(profile)).toBe(false)
    },
  )

  it('exits 2 on bad usage and 3 without a browser, saying what to do', async () => {
    const bad = await run('node', [CLI, 'build', '--format', 'docx'], { cwd: dir }).catch((e: { code: number; stderr: string }) => e)
    expect(bad).toMatchObject({ code: 2 })
    expect((bad as { stderr: string }).stderr).toContain('unknown format: docx')
    const deck = path.join(dir, 'slides/compat/four-three.md')
    const none = await run('node', [CLI, 'build', deck, '--format', 'pdf', '--out', path.join(dir, 'x')], {
      cwd: dir,
      env: { ...process.env, CHROME_PATH: '/nonexistent/chrome' },
    }).catch((e: { code: number; stderr: string }) => e)
    expect(none).toMatchObject({ code: 3 })
    expect((none as { stderr: string }).stderr).toContain('CHROME_PATH')
    // HTML needs no browser.
    const html = await run('node', [CLI, 'build', deck, '--format', 'html', '--out', path.join(dir, 'x')], {
      cwd: dir,
      env: { ...process.env, CHROME_PATH: '/nonexistent/chrome' },
    })
    expect(html.stderr).toContain('1 deck built')
  })
})
