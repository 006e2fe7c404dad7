import { writeFileSync } from 'node:fs'
import { chmod, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BASE_THEME, deckPath, deckText, usesImage, usesTheme } from '../../scripts/gen-decks.js'
import { MANIFEST_FILE, type Manifest } from '../../src/cache/manifest.js'
import { build as build_ } from '../../src/index.js'
import { makePng } from '../helpers/png.js'
import { builtDecks, changed, deck, deckProject, mtimes, upToDateDecks } from './cache-fixture.js'

// The build cache on a generated 24-deck project, HTML only (no browser): a second build
// rebuilds nothing, an edit rebuilds exactly the decks it touches (the deck, an image it shows,
// a theme it imports), --force rebuilds all, and the hashes do not depend on where the project is.

const COUNT = 24
const all = Array.from({ length: COUNT }, (_, i) => deckPath(i)).sort()
const html = (rel: string) => rel.replace(/^slides\//, 'dist/').replace(/\.md$/, '.html')

let project: Awaited<ReturnType<typeof deckProject>>
const build = (...args: string[]) => deck(['build', '-f', 'html', ...args], project.dir)

beforeAll(async () => {
  project = await deckProject(COUNT)
})
afterAll(() => project.cleanup())

describe('build cache', () => {
  it('a first build builds every deck and writes the manifest', async () => {
    const { code, err } = await build()
    expect(code).toBe(0)
    expect(builtDecks(err)).toEqual(all)
    const manifest = JSON.parse(await readFile(path.join(project.dir, 'dist', MANIFEST_FILE), 'utf8')) as Manifest
    expect(Object.keys(manifest.decks).sort()).toEqual(all)
    const entry = manifest.decks[deckPath(0)]!
    // Deck 0 uses the course theme (which imports course-base) and the image: all are inputs, root-relative.
    expect(Object.keys(entry.inputs).sort()).toEqual(['css/course-base.css', 'css/course.css', deckPath(0), 'slides/img/logo.png'].sort())
    expect(entry.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(entry.outputs.map((o) => o.file)).toEqual(['part-1/deck-001.html'])
    expect(entry.title).toBe('Lesson 1')
    expect(entry.slides).toBe(3)
  })

  it('a second build rebuilds nothing, says so, and touches no output', async () => {
    const before = await mtimes(path.join(project.dir, 'dist'))
    const { code, err } = await build()
    expect(code).toBe(0)
    expect(builtDecks(err)).toEqual([])
    expect(upToDateDecks(err)).toEqual(all)
    expect(err).toMatch(/0 decks built, 24 up to date/)
    const after = await mtimes(path.join(project.dir, 'dist'))
    // Nothing is written: not an output, not the manifest.
    expect(changed(before, after)).toEqual([])
  })

  it('after one deck is edited only that deck is rebuilt', async () => {
    const before = await mtimes(path.join(project.dir, 'dist'))
    await writeFile(path.join(project.dir, deckPath(5)), deckText(5, ' Edited.'))
    const { err } = await build()
    expect(builtDecks(err)).toEqual([deckPath(5)])
    expect(upToDateDecks(err)).toEqual(all.filter((d) => d !== deckPath(5)))
    const after = await mtimes(path.join(project.dir, 'dist'))
    expect(changed(before, after).filter((f) => f !== MANIFEST_FILE)).toEqual([html(deckPath(5)).slice('dist/'.length)])
    expect(await readFile(path.join(project.dir, html(deckPath(5))), 'utf8')).toContain('Edited.')
  })

  it('editing an image rebuilds exactly the decks that show it', async () => {
    await writeFile(
      path.join(project.dir, 'slides/img/logo.png'),
      makePng(3, 3, () => [200, 30, 30]),
    )
    const { err } = await build()
    const users = all.filter((_, i) => usesImage(Number(/deck-(\d+)/.exec(all[i]!)![1]) - 1))
    expect(users.length).toBeGreaterThan(0)
    expect(builtDecks(err)).toEqual(users)
  })

  it('editing a theme that a deck’s theme imports rebuilds exactly the decks on that theme', async () => {
    await writeFile(path.join(project.dir, 'css/course-base.css'), BASE_THEME.replace('#24527a', '#7a2452'))
    const { err } = await build()
    const users = all.filter((rel) => usesTheme(Number(/deck-(\d+)/.exec(rel)![1]) - 1))
    expect(builtDecks(err)).toEqual(users)
    expect(await readFile(path.join(project.dir, html(users[0]!)), 'utf8')).toContain('7a2452')
  })

  it('a deleted output is built again; a changed setting rebuilds every deck', async () => {
    await writeFile(path.join(project.dir, html(deckPath(7))), 'tampered')
    expect(builtDecks((await build()).err)).toEqual([deckPath(7)])
    expect(builtDecks((await build('--html')).err)).toEqual(all)
  })

  it('--force rebuilds every deck', async () => {
    await build()
    const { code, err } = await build('--force')
    expect(code).toBe(0)
    expect(builtDecks(err)).toEqual(all)
    expect(upToDateDecks(err)).toEqual([])
  })

  it('the same project in another folder gives the same hashes (paths are root-relative)', async () => {
    const other = await deckProject(COUNT, 'deck-ci-other-')
    try {
      // The same edits as above, so both projects hold the same files.
      await writeFile(path.join(other.dir, deckPath(5)), deckText(5, ' Edited.'))
      await writeFile(
        path.join(other.dir, 'slides/img/logo.png'),
        makePng(3, 3, () => [200, 30, 30]),
      )
      await writeFile(path.join(other.dir, 'css/course-base.css'), BASE_THEME.replace('#24527a', '#7a2452'))
      // A deck on the package's own theme, which lives outside both projects.
      for (const dir of [project.dir, other.dir])
        await writeFile(path.join(dir, 'slides/palette.md'), '---\ntheme: palette-3\n---\n\n# Palette\n')
      await build('--force')
      await deck(['build', '-f', 'html'], other.dir)
      const read = (dir: string) => readFile(path.join(dir, 'dist', MANIFEST_FILE), 'utf8')
      const [mine, theirs] = [await read(project.dir), await read(other.dir)]
      expect(theirs).toBe(mine)
      expect(mine).not.toContain(project.dir)
      const palette = (JSON.parse(mine) as Manifest).decks['slides/palette.md']!
      expect(Object.keys(palette.inputs)).toEqual(['marp-deck-pipeline:css/palette-3.css', 'slides/palette.md'])
    } finally {
      await other.cleanup()
    }
  })
})

describe('a project reached through a symlink', () => {
  it('names its embedded files relative to the project, as without the link', async () => {
    const p = await deckProject(1, 'deck-ci-link-')
    const link = `${p.dir}-link`
    try {
      await symlink(p.dir, link)
      expect((await deck(['build', '-f', 'html'], link)).code).toBe(0)
      const manifest = JSON.parse(await readFile(path.join(p.dir, 'dist', MANIFEST_FILE), 'utf8')) as Manifest
      const inputs = Object.keys(manifest.decks[deckPath(0)]!.inputs).sort()
      expect(inputs).toEqual(['css/course-base.css', 'css/course.css', deckPath(0), 'slides/img/logo.png'].sort())
      expect(upToDateDecks((await deck(['build', '-f', 'html'], p.dir)).err)).toEqual([deckPath(0)])
    } finally {
      await rm(link, { force: true })
      await p.cleanup()
    }
  })
})

describe('a deck saved while the build runs', () => {
  it('is not recorded as up to date: the next build builds it from the new text', async () => {
    const p = await deckProject(2, 'deck-ci-late-')
    try {
      const file = path.join(p.dir, deckPath(1))
      let saved = false
      const first = await build_({
        cwd: p.dir,
        formats: ['html'],
        onEvent: (e) => {
          // The deck's render has read it; a save now is newer than its output.
          if (e.type === 'output' && e.deck === file && !saved) {
            saved = true
            writeFileSync(file, deckText(1, ' Saved during the build.'))
          }
        },
      })
      expect(first.exitCode).toBe(0)
      const manifest = JSON.parse(await readFile(path.join(p.dir, 'dist', MANIFEST_FILE), 'utf8')) as Manifest
      expect(manifest.decks[deckPath(1)]).toMatchObject({ hash: null, uncacheable: `${deckPath(1)} changed during the build` })
      const { err } = await deck(['build', '-f', 'html'], p.dir)
      expect(builtDecks(err)).toEqual([deckPath(1)])
      expect(await readFile(path.join(p.dir, html(deckPath(1))), 'utf8')).toContain('Saved during the build.')
    } finally {
      await p.cleanup()
    }
  })
})

describe('a damaged manifest', () => {
  it('is a cold cache: every deck is built and the manifest written anew', async () => {
    const p = await deckProject(2, 'deck-ci-damaged-')
    try {
      await deck(['build', '-f', 'html'], p.dir)
      await writeFile(path.join(p.dir, 'dist', MANIFEST_FILE), '{ "version": 1, "decks": ')
      const { code, err } = await deck(['build', '-f', 'html'], p.dir)
      expect(code).toBe(0)
      expect(builtDecks(err)).toEqual([deckPath(0), deckPath(1)])
      const manifest = JSON.parse(await readFile(path.join(p.dir, 'dist', MANIFEST_FILE), 'utf8')) as Manifest
      expect(Object.keys(manifest.decks)).toHaveLength(2)
    } finally {
      await p.cleanup()
    }
  })
})

describe('build cache with a browser', () => {
  it('an up-to-date PDF build starts no browser; a deck with a missing image rebuilds once the image exists', async () => {
    const p = await deckProject(3, 'deck-ci-pdf-')
    try {
      const marker = path.join(p.dir, 'browser-started')
      // A browser that notes each start other than `--version` (the cache's version check).
      const wrapper = path.join(p.dir, 'browser.sh')
      const real = process.env['CHROME_PATH'] ?? '/usr/bin/chromium-headless-shell'
      await writeFile(wrapper, `#!/bin/sh\n[ "$1" = --version ] || echo started >> '${marker}'\nexec '${real}' "$@"\n`)
      await chmod(wrapper, 0o755)
      await writeFile(path.join(p.dir, deckPath(1)), `${deckText(1)}\n![](../img/later.png)\n`)
      const run = () => deck(['build', '-f', 'pdf', '--browser-path', wrapper], p.dir)
      const first = await run()
      expect(first.code).toBe(0)
      expect(builtDecks(first.err)).toHaveLength(3)
      expect(await readFile(marker, 'utf8')).toContain('started')
      await writeFile(marker, '')
      const second = await run()
      expect(upToDateDecks(second.err)).toHaveLength(3)
      // The finding is reported again from the manifest, the same as when the deck was built.
      expect(second.err).toContain('later.png')
      expect(await readFile(marker, 'utf8')).toBe('')
      await writeFile(
        path.join(p.dir, 'slides/img/later.png'),
        makePng(2, 2, () => [0, 0, 0]),
      )
      expect(builtDecks((await run()).err)).toEqual([deckPath(1)])
    } finally {
      await p.cleanup()
    }
  })
})
