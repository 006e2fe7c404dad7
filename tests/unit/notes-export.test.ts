import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { optionsFromFlags } from '../../src/cli/options.js'
import { HANDOUT_LAYOUTS, needsBrowser, paperFromLocale, parseFormats } from '../../src/config/options.js'
import { validateConfig } from '../../src/config/schema.js'
import { nestHeadings, notesMarkdown } from '../../src/export/notes.js'
import { notesHtml } from '../../src/export/handout/notes-html.js'
import { pageCount, pageGeometry, PAPER_MM, type Box } from '../../src/export/handout/layout.js'
import { build } from '../../src/index.js'
import { outputPath } from '../../src/pipeline/outputs.js'
import { resolveSettings } from '../../src/pipeline/settings.js'
import { renderDeck } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import { isDeckError } from '../../src/util/errors.js'
import { FIXTURES, tempProject } from '../helpers/project.js'

const TALK = path.join(FIXTURES, 'handout/talk.md')

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function render(file: string, root: string) {
  const themes = new ThemeRegistry(root)
  await themes.addProject([])
  return renderDeck(file, { themes, html: false, fetchRemote: false, remoteTimeoutMs: 1000 })
}

describe('notes export (--format notes)', () => {
  it('writes one section per slide: its number, its title (first heading, else "Slide n") and its notes', async () => {
    const { dir, cleanup } = await tempProject()
    cleanups.push(cleanup)
    const deck = await render(TALK, dir)
    const md = notesMarkdown(deck)
    const sections = md.split('\n').filter((l) => l.startsWith('## '))
    expect(sections).toEqual([
      '## 1. Shipping with confidence',
      '## 2. Why release trains',
      '## 3. Feature flags',
      '## 4. Slide 4',
      '## 5. Questions',
    ])
    expect(md.startsWith('# Shipping with confidence: speaker notes\n\ntalk.md: 5 slides, 5 with notes.\n')).toBe(true)
    // The notes keep their Markdown (emphasis, lists, links, raw HTML as written).
    expect(md).toContain('Welcome everyone. **Introduce yourself** in one sentence, then ask:\n\n- who deployed to production *this week*?')
    expect(md).toContain('See the [runbook](https://example.com/runbook) for the exact steps.')
    expect(md).toContain('Raw HTML in a note stays text: <b>not bold</b>.')
    expect(md.endsWith('March.\n')).toBe(true)
    // The same input gives the same bytes; no absolute path, no date.
    expect(notesMarkdown(await render(TALK, dir))).toBe(md)
    expect(md).not.toContain(dir)
  })

  it('says "No notes." for a slide without notes, and keeps headings in notes inside their section', async () => {
    const { dir, cleanup } = await tempProject({
      'slides/d.md': '# One *star*\n\n<!-- # Plan\n\n```sh\n# a shell comment\n```\n-->\n\n---\n\nNo heading here\n',
    })
    cleanups.push(cleanup)
    const md = notesMarkdown(await render(path.join(dir, 'slides/d.md'), dir))
    expect(md).toContain('## 1. One star\n\n### Plan\n\n```sh\n# a shell comment\n```\n\n## 2. Slide 2\n\n_No notes._\n')
  })

  it('nests headings two levels down, at most to level 6, and leaves fenced code alone', () => {
    expect(nestHeadings('# a\n#### b\n##### c\n#no\n~~~\n# code\n~~~\n## d')).toBe(
      '### a\n###### b\n###### c\n#no\n~~~\n# code\n~~~\n#### d',
    )
  })

  it('is written by build() without a browser: --format notes alone starts no Chromium', async () => {
    const { dir, cleanup } = await tempProject({ 'slides/talk.md': await readFile(TALK, 'utf8') })
    cleanups.push(cleanup)
    // A browser path that does not exist: any launch would fail the build with exit code 3.
    const result = await build({ cwd: dir, formats: ['notes'], browserPath: path.join(dir, 'no-such-chrome'), configFile: false })
    expect(result.exitCode).toBe(0)
    expect(result.decks[0]!.outputs.map((o) => path.relative(dir, o.file))).toEqual(['dist/talk.notes.md'])
    const written = await readFile(path.join(dir, 'dist/talk.notes.md'), 'utf8')
    expect(written.match(/^## /gm)).toHaveLength(5)
  })
})

describe('handout options', () => {
  it('takes its paper from the locale: LC_ALL, then LC_PAPER, then LANG; Letter in the Americas that use it, else A4', () => {
    expect(paperFromLocale({ LANG: 'en_US.UTF-8' })).toBe('letter')
    expect(paperFromLocale({ LANG: 'fr_CA.UTF-8' })).toBe('letter')
    expect(paperFromLocale({ LANG: 'es_MX' })).toBe('letter')
    expect(paperFromLocale({ LANG: 'en_GB.UTF-8' })).toBe('a4')
    expect(paperFromLocale({ LANG: 'de_DE.UTF-8', LC_PAPER: 'en_US.UTF-8' })).toBe('letter')
    expect(paperFromLocale({ LC_ALL: 'de_DE.UTF-8', LC_PAPER: 'en_US.UTF-8' })).toBe('a4')
    expect(paperFromLocale({ LC_ALL: '', LANG: 'en_US' })).toBe('letter')
    expect(paperFromLocale({ LANG: 'C.UTF-8' })).toBe('a4')
    expect(paperFromLocale({})).toBe('a4')
  })

  it('are flags and config keys: flags over the config, key by key; the paper defaults to the locale', async () => {
    const { dir, cleanup } = await tempProject({ 'deck.config.json': JSON.stringify({ handout: { paper: 'letter', layout: 4 } }) })
    cleanups.push(cleanup)
    const flags = optionsFromFlags({ 'handout-layout': '6' }, [], dir)
    expect(flags.handout).toEqual({ layout: 6 })
    const settings = await resolveSettings(flags)
    expect(settings.build.handout).toEqual({ paper: 'letter', layout: 6 })
    const none = await resolveSettings({ cwd: dir, configFile: false })
    expect(none.build.handout).toEqual({ paper: paperFromLocale(), layout: 1 })
    expect(optionsFromFlags({ 'handout-paper': 'A4' }, [], dir).handout).toEqual({ paper: 'a4' })
    for (const bad of [{ 'handout-paper': 'a5' }, { 'handout-layout': '5' }, { 'handout-layout': 'two' }]) {
      let caught: unknown
      try {
        optionsFromFlags(bad, [], dir)
      } catch (e) {
        caught = e
      }
      expect(isDeckError(caught) && caught.code).toBe(2)
    }
  })

  it('checks the config keys handout.paper and handout.layout, naming the key', () => {
    expect(validateConfig({ handout: { paper: 'Letter', layout: 3 } }, 'deck.config.json').handout).toEqual({ paper: 'letter', layout: 3 })
    expect(() => validateConfig({ handout: { layout: 5 } }, 'deck.config.json')).toThrow(/handout\.layout/)
    expect(() => validateConfig({ handout: { paper: 'a3' } }, 'deck.config.json')).toThrow(/handout\.paper/)
    expect(() => validateConfig({ handout: { size: 'a4' } }, 'deck.config.json')).toThrow(/handout\.size/)
  })

  it('are formats that need a browser (handout) or not (notes), written as <deck>.handout.pdf and <deck>.notes.md', () => {
    expect(parseFormats('handout,notes')).toEqual(['handout', 'notes'])
    expect(needsBrowser(['html', 'notes'])).toBe(false)
    expect(needsBrowser(['handout'])).toBe(true)
    const layout = { inputDir: '/p/slides', outDir: '/p/dist' }
    expect(outputPath(layout, '/p/slides/a/talk.md', 'handout')).toBe('/p/dist/a/talk.handout.pdf')
    expect(outputPath(layout, '/p/slides/a/talk.md', 'notes')).toBe('/p/dist/a/talk.notes.md')
  })

  it('takes an output file for the handout or the notes alone (-o talk.pdf --format handout)', async () => {
    const { dir, cleanup } = await tempProject()
    cleanups.push(cleanup)
    const pdf = await resolveSettings({ cwd: dir, configFile: false, formats: ['handout'], out: 'talk.pdf' })
    expect(pdf.build.outFile).toBe(path.join(dir, 'talk.pdf'))
    const named = await resolveSettings({ cwd: dir, configFile: false, out: 'x.handout.pdf' })
    expect(named.build.formats).toEqual(['handout'])
    const md = await resolveSettings({ cwd: dir, configFile: false, out: 'talk.notes.md' })
    expect(md.build.formats).toEqual(['notes'])
  })
})

describe('handout page geometry', () => {
  const inside = (b: Box, page: { w: number; h: number }) => b.x >= 0 && b.y >= 0 && b.x + b.w <= page.w && b.y + b.h <= page.h
  const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h

  it('places each layout within the paper, slides at the deck ratio, nothing overlapping, above the footer', () => {
    for (const paper of ['a4', 'letter'] as const) {
      for (const layout of HANDOUT_LAYOUTS) {
        for (const size of [
          { width: 1280, height: 720 },
          { width: 960, height: 720 },
        ]) {
          const g = pageGeometry(paper, layout, size)
          expect(g.paper).toEqual(PAPER_MM[paper])
          expect(g.slots).toHaveLength(layout)
          const boxes = g.slots.flatMap((s) => [s.slide, s.notes])
          for (const b of [...boxes, g.footer]) expect(inside(b, g.paper)).toBe(true)
          for (const b of boxes) expect(b.y + b.h).toBeLessThanOrEqual(g.footer.y)
          boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => expect(overlap(a, b)).toBe(false)))
          for (const { slide, notes } of g.slots) {
            expect(slide.h / slide.w).toBeCloseTo(size.height / size.width, 2)
            expect(notes.h).toBeGreaterThan(20)
          }
        }
      }
    }
    expect(pageCount(16, 1)).toBe(16)
    expect(pageCount(16, 6)).toBe(3)
    expect(pageCount(0, 4)).toBe(1)
  })
})

describe('notes as HTML in the handout', () => {
  it('renders their Markdown and shows raw HTML as text', () => {
    const html = notesHtml('**Bold** and `code`\n\n- a\n- b\n\n<script>alert(1)</script> <b>x</b>')
    expect(html).toContain('<strong>Bold</strong> and <code>code</code>')
    expect(html).toContain('<ul>\n<li>a</li>')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;x&lt;/b&gt;')
    expect(html).not.toContain('<script>')
    expect(notesHtml('  \n')).toBe('')
  })
})
