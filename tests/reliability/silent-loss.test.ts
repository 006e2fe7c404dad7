import { execFile } from 'node:child_process'
import { access, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { load } from 'cheerio'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Diagnostic } from '../../src/util/diagnostics.js'
import { isDeckError } from '../../src/util/errors.js'
import { toReport } from '../../src/pipeline/report.js'
import { toGithub, toHuman, toJson } from '../../src/lint/report.js'
import { renderDeck, renderSource, type RenderContext } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import { ROOT, tempProject } from '../helpers/project.js'

/*
 * No silent loss of content (issue #9, part 7): every input that Marp would quietly drop, mangle
 * or render as garbage gets a finding at file:line, a file that is not text fails its deck, and
 * a broken theme fails only the decks that use it.
 */

const CLI = path.join(ROOT, 'bin/deck.js')
const run = promisify(execFile)

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

/** A temp project with these files, its theme set loaded as a build loads it. */
async function project(files: Record<string, string> = {}): Promise<{ dir: string; ctx: RenderContext; themes: ThemeRegistry }> {
  const p = await tempProject(files)
  cleanup = p.cleanup
  const themes = new ThemeRegistry(p.dir)
  await themes.addProject([])
  return { dir: p.dir, themes, ctx: { themes, html: false, fetchRemote: false, remoteTimeoutMs: 500 } }
}

const ofRule = (list: Diagnostic[], rule: string) => list.filter((d) => d.rule === rule)

/** Run the CLI in `cwd`; resolves with the exit code and output instead of throwing. */
async function cli(cwd: string, args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, DEBUG: '' } })
    return { code: 0, stdout, stderr }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  )

/** A theme PostCSS cannot parse: an unclosed block, the bad word on line 5. */
const broken = ['/* @theme broken */', "@import 'default';", 'section {', '  color: red;', '  h1 { x', ''].join('\n')

describe('content Marp would lose gets a finding', () => {
  it('an unclosed code fence that swallows slides: points at the fence, counts the separators', async () => {
    const { dir, ctx } = await project()
    const src = [
      '---',
      'marp: true',
      '---',
      '',
      '# One',
      '',
      '```js',
      'const x = 1',
      '',
      '---',
      '',
      '# Two',
      '',
      '---',
      '',
      '# Three',
      '',
    ].join('\n')
    const deck = await renderSource(path.join(dir, 'slides/fence.md'), src, ctx)
    // Marp shows one slide: the fence ran to the end of the deck.
    expect(deck.slideCount).toBe(1)
    const [f, ...more] = ofRule(deck.diagnostics, 'unclosed-fence')
    expect(more).toEqual([])
    expect(f).toMatchObject({ file: path.join(dir, 'slides/fence.md'), line: 7, slide: 1, severity: 'warning' })
    expect(f!.message).toContain('never closed')
    expect(f!.message).toContain('2 slide separators')
    expect(f!.hint).toContain('```')

    // A closed fence with `---` inside (YAML documents) is fine.
    const closed = await renderSource(path.join(dir, 'slides/ok.md'), '# A\n\n```yaml\na: 1\n---\nb: 2\n```\n\n---\n\n# B\n', ctx)
    expect(closed.slideCount).toBe(2)
    expect(ofRule(closed.diagnostics, 'unclosed-fence')).toEqual([])
  })

  it('an unclosed front matter: a finding at line 1, and the deck renders as meant', async () => {
    const { dir, ctx } = await project()
    const file = path.join(dir, 'slides/fm.md')
    // No `---` after the keys at all: Marp reads the whole deck as front matter.
    const never = await renderSource(file, ['---', 'marp: true', 'theme: palette-3', '', '# Title', '', 'Text', ''].join('\n'), ctx)
    const [f, ...more] = ofRule(never.diagnostics, 'front-matter')
    expect(more).toEqual([])
    expect(f).toMatchObject({ file, line: 1, severity: 'warning' })
    expect(f!.message).toContain('never closed')
    expect(f!.hint).toContain('`---`')
    expect(f!.hint).toContain('line 3')
    // Closed at the blank line 4: the theme applies and the slide is there.
    expect(never.theme.name).toBe('palette-3')
    expect(load(never.html)('section[id] h1').text()).toBe('Title')

    // The first slide separator closes it: Marp drops the first slide as front matter.
    const src = ['---', 'marp: true', 'theme: palette-3', 'paginate: true', '', '# Title', '', 'Text', '', '---', '', '# Second', ''].join(
      '\n',
    )
    const deck = await renderSource(file, src, ctx)
    const [g, ...others] = ofRule(deck.diagnostics, 'front-matter')
    expect(others).toEqual([])
    expect(g).toMatchObject({ file, line: 1 })
    expect(g!.message).toContain('the `---` on line 10 closes it')
    expect(g!.message).toContain('lines 6–9')
    expect(deck.slideCount).toBe(2)
    const $ = load(deck.html)
    expect($('section[id] h1').first().text()).toBe('Title')
    expect($('section[id]').eq(1).attr('data-paginate')).toBe('true')

    // A front matter that ends in a YAML comment after a blank line is left alone.
    const comment = await renderSource(file, ['---', 'marp: true', '', '# layout', 'paginate: true', '---', '', '# A', ''].join('\n'), ctx)
    expect(ofRule(comment.diagnostics, 'front-matter')).toEqual([])
  })

  it('invalid UTF-8: names the byte offset and line, still renders with U+FFFD', async () => {
    const { dir, ctx } = await project()
    const file = path.join(dir, 'slides/latin1.md')
    // "Café" in Latin-1 on line 5: é is the single byte 0xE9, right after `head`.
    const head = Buffer.from('---\nmarp: true\n---\n\n# Caf', 'utf8')
    await writeFile(file, Buffer.concat([head, Buffer.from([0xe9]), Buffer.from('\n\nna\xefve\n', 'latin1')]))
    const deck = await renderDeck(file, ctx)
    const [f, ...more] = ofRule(deck.diagnostics, 'encoding')
    expect(more).toEqual([])
    expect(f).toMatchObject({ file, line: 5, severity: 'warning' })
    expect(f!.message).toContain(`offset ${head.length}`)
    expect(f!.message).toContain('0xE9')
    expect(f!.message).toContain('1 more')
    expect(f!.hint).toMatch(/UTF-8/)
    expect(load(deck.html)('h1').text()).toBe('Caf\uFFFD')
  })

  it('a file that is not text fails its deck with a DeckError naming it, before Marp sees it', async () => {
    const { dir, ctx } = await project()
    const file = path.join(dir, 'slides/picture.md')
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
      Buffer.from('IHDR $x^2$ $\\frac{a}{b}$ \u00e9', 'utf8'),
    ])
    await writeFile(file, png)
    const warn = vi.spyOn(console, 'warn')
    try {
      const e = await renderDeck(file, ctx).catch((x: unknown) => x)
      expect(isDeckError(e)).toBe(true)
      if (!isDeckError(e)) return
      expect(e.code).toBe(1)
      expect(e.location?.file).toBe(file)
      expect(e.message).toContain('not a text file')
      expect(e.message).toContain('PNG')
      expect(warn).not.toHaveBeenCalled()
    } finally {
      warn.mockRestore()
    }
  })

  it('directive values Marp ignores or misreads, in the front matter and in comments', async () => {
    const { dir, ctx } = await project()
    const file = path.join(dir, 'slides/directives.md')
    const src = [
      '---', //                               1
      'marp: true', //                        2
      'theme: palette-3', //                  3
      'size: 99999:1', //                     4
      'paginate: maybe', //                   5
      'class: 42', //                         6
      'math: mathml', //                      7
      'headingDivider: 9', //                 8
      'lang: en_US', //                       9
      'transition: [fade, cube]', //          10
      'footer: [a, b]', //                    11
      'backgroundRepeat: sideways', //        12
      'backgroundImage: bg.png', //           13
      'backgroundSize: huge', //              14
      '---', //                               15
      '', //                                  16
      '# A', //                               17
      '', //                                  18
      '<!-- _paginate: sometimes -->', //     19
      '<!-- _class: 42 -->', //               20
      '<!-- math: latex -->', //              21
      '<!-- headingDivider: [2, 7] -->', //   22
      '',
    ].join('\n')
    const deck = await renderSource(file, src, ctx)
    const found = ofRule(deck.diagnostics, 'directive-value')
    const byLine = new Map(found.map((d) => [d.line, d]))
    expect([...byLine.keys()].sort((a, b) => a! - b!)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 19, 20, 21, 22])
    for (const d of found) {
      expect(d.file).toBe(file)
      expect(d.hint).toBeTruthy()
    }
    expect(byLine.get(4)!.message).toContain('`size: 99999:1`')
    expect(byLine.get(4)!.message).toContain('16:9, 4:3')
    expect(byLine.get(5)!.message).toMatch(/`paginate: maybe`.*true, false, hold or skip/)
    expect(byLine.get(6)!.message).toContain('`class: 42`')
    expect(byLine.get(7)!.message).toContain('mathjax or katex')
    expect(byLine.get(8)!.message).toContain('1 to 6')
    expect(byLine.get(9)!.hint).toContain('en-US')
    expect(byLine.get(10)!.message).toContain('transition')
    expect(byLine.get(19)).toMatchObject({ slide: 1 })
    expect(byLine.get(21)!.message).toContain('mathjax or katex')
    expect(byLine.get(22)!.message).toContain('7')
    // What Marp did with them: no page number, the class as given, the default size.
    expect(deck.size).toEqual({ width: 1280, height: 720 })

    // Values Marp accepts give no finding.
    const good = [
      '---',
      'marp: true',
      'theme: palette-3',
      'size: 4:3',
      'paginate: true',
      'class: [invert, font-sm]',
      'math: katex',
      'transition: fade 0.5s',
      'headingDivider: [2, 3]',
      'lang: de-CH',
      'footer: Page',
      'backgroundRepeat: no-repeat',
      'backgroundImage: url(bg.png)',
      'backgroundSize: 50% auto',
      'backgroundPosition: top right',
      '---',
      '',
      '# A',
      '',
      '<!-- _paginate: skip -->',
      '<!-- _class: lead -->',
      '<!-- paginate: Hold -->',
      '<!-- headingDivider: 2 -->',
      '',
    ].join('\n')
    const ok = await renderSource(path.join(dir, 'slides/good.md'), good, ctx)
    expect(ofRule(ok.diagnostics, 'directive-value')).toEqual([])
    expect(ok.size).toEqual({ width: 960, height: 720 })
  })

  it('remote @import, @font-face and url() in a theme: a warning at the theme line naming the URL', async () => {
    const css = [
      '/* @theme remote */', //                                                     1
      "@import 'default';", //                                                      2
      "@import url('https://fonts.example.com/inter.css');", //                    3
      '@font-face {', //                                                            4
      '  font-family: X;', //                                                       5
      "  src: url(https://cdn.example.com/x.woff2) format('woff2');", //            6
      '}', //                                                                       7
      'section { background-image: url("//cdn.example.com/bg.png"); }', //         8
      '/* url(https://in-a-comment.example.com/x.png) */', //                       9
      '',
    ].join('\n')
    const { dir, ctx } = await project({ 'css/remote.css': css })
    const deck = await renderSource(path.join(dir, 'slides/r.md'), '---\nmarp: true\ntheme: remote\n---\n\n# A\n', ctx)
    const found = ofRule(deck.diagnostics, 'remote-resource')
    const themeFile = path.join(dir, 'css/remote.css')
    expect(found.map((d) => [d.file, d.line])).toEqual([
      [themeFile, 3],
      [themeFile, 6],
      [themeFile, 8],
    ])
    expect(found[0]!.message).toContain('https://fonts.example.com/inter.css')
    expect(found[0]!.message).toContain('@import')
    expect(found[1]!.message).toContain('https://cdn.example.com/x.woff2')
    expect(found[2]!.message).toContain('//cdn.example.com/bg.png')
    expect(found[0]!.hint).toContain('next to the theme')
    // Lint output names the theme file, not the deck, for these lines.
    const report = { results: [toReport({ file: deck.file, outputs: [], diagnostics: found, errors: [], renderMs: 0 })], failed: false }
    expect(toJson(report, dir).decks[0]!.findings[0]).toMatchObject({ file: 'css/remote.css', line: 3 })
    expect(toHuman(report, dir)).toContain('css/remote.css:3  warning')
    expect(toGithub(report, dir)).toContain('file=css/remote.css,line=3,')
    // A deck on another theme gets none of them.
    const other = await renderSource(path.join(dir, 'slides/o.md'), '---\nmarp: true\ntheme: palette-3\n---\n\n# A\n', ctx)
    expect(ofRule(other.diagnostics, 'remote-resource')).toEqual([])
  })

  it('KaTeX warnings and errors are findings at the deck line, never raw stderr', async () => {
    const { dir, ctx } = await project()
    const file = path.join(dir, 'slides/math.md')
    const src = [
      '---',
      'marp: true',
      'math: katex',
      '---',
      '',
      '# Math',
      '',
      'Fine $x^2$ and',
      'accented $é + 1$ here',
      '',
      '$$',
      '\\frac{1}{',
      '$$',
      '',
    ].join('\n')
    const warn = vi.spyOn(console, 'warn')
    try {
      const deck = await renderSource(file, src, ctx)
      expect(warn).not.toHaveBeenCalled()
      const found = ofRule(deck.diagnostics, 'math')
      expect(found.map((d) => d.line)).toEqual([9, 11])
      expect(found[0]).toMatchObject({ file, slide: 1, severity: 'warning' })
      expect(found[0]!.message).toContain('é')
      expect(found[1]!.message).toMatch(/cannot be parsed|parse error/i)
      for (const d of found) expect(d.hint).toBeTruthy()
    } finally {
      warn.mockRestore()
    }
  })
})

describe('a broken theme fails only the decks that use it', () => {
  it('unparseable CSS: the deck using it fails naming its theme line and the CSS line; the others render', async () => {
    const { dir, ctx } = await project({ 'css/broken.css': broken })
    const good = await renderSource(path.join(dir, 'slides/a.md'), '---\nmarp: true\ntheme: palette-3\n---\n\n# A\n', ctx)
    expect(good.theme.name).toBe('palette-3')
    const file = path.join(dir, 'slides/b.md')
    const e = await renderSource(file, '---\nmarp: true\ntheme: broken\n---\n\n# B\n', ctx).catch((x: unknown) => x)
    expect(isDeckError(e)).toBe(true)
    if (!isDeckError(e)) return
    expect(e.location).toEqual({ file, line: 3 })
    expect(e.message).toContain('css/broken.css:5')
    expect(e.message).toContain('Unknown word')
    // By path too.
    const byPath = await renderSource(file, '---\nmarp: true\ntheme: ../css/broken.css\n---\n\n# B\n', ctx).catch((x: unknown) => x)
    expect(isDeckError(byPath) && byPath.location).toEqual({ file, line: 3 })
  })

  it('a CSS file without @theme: decks that do not use it render; a deck naming it by path fails at its line', async () => {
    const { dir, ctx, themes } = await project({ 'css/nameless.css': 'section { color: red; }\n' })
    expect(themes.takeProblems().map((d) => [d.rule, d.file])).toEqual([['theme', path.join(dir, 'css/nameless.css')]])
    // Reported once: taken by the first deck of the build.
    expect(themes.takeProblems()).toEqual([])
    const good = await renderSource(path.join(dir, 'slides/a.md'), '---\nmarp: true\ntheme: palette-3\n---\n\n# A\n', ctx)
    expect(good.theme.name).toBe('palette-3')
    const file = path.join(dir, 'slides/b.md')
    const e = await renderSource(file, '---\nmarp: true\ntheme: ../css/nameless.css\n---\n\n# B\n', ctx).catch((x: unknown) => x)
    expect(isDeckError(e) && e.location).toEqual({ file, line: 3 })
    expect(isDeckError(e) && e.message).toContain('css/nameless.css')
  })
})

describe('through the CLI (compiled lib/)', () => {
  it('a binary file renamed .md: exit 1 naming the file, no KaTeX noise, the other deck builds', async () => {
    const p = await tempProject({ 'slides/ok.md': '---\nmarp: true\n---\n\n# OK\n' })
    cleanup = p.cleanup
    const bytes = Buffer.alloc(4096)
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7919 + 13) % 256
    bytes.write('$\\x$ $a^$ $é$ ', 100, 'utf8')
    await writeFile(path.join(p.dir, 'slides/garbage.md'), bytes)
    const r = await cli(p.dir, ['build', '--format', 'html'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/slides\/garbage\.md: error: .*not a text file/)
    expect(r.stderr).not.toMatch(/KaTeX|LaTeX-incompatible/)
    expect(await exists(path.join(p.dir, 'dist/ok.html'))).toBe(true)
    expect(await exists(path.join(p.dir, 'dist/garbage.html'))).toBe(false)
  })

  it('two decks, a broken theme used by one: the other builds; the error names deck:line and the CSS file', async () => {
    const p = await tempProject({
      'css/broken.css': broken,
      'css/nameless.css': 'section { color: red; }\n',
      'slides/a.md': '---\nmarp: true\ntheme: palette-3\n---\n\n# A\n',
      'slides/b.md': '---\nmarp: true\ntheme: broken\n---\n\n# B\n',
    })
    cleanup = p.cleanup
    const r = await cli(p.dir, ['build', '--format', 'html'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/slides\/b\.md:3: error: .*css\/broken\.css:5/)
    expect(load(await readFile(path.join(p.dir, 'dist/a.html'), 'utf8'))('section[id] h1').text()).toBe('A')
    expect(await exists(path.join(p.dir, 'dist/b.html'))).toBe(false)
    // The file without @theme is named once, as a warning, and fails nothing.
    expect(r.stderr.match(/css\/nameless\.css.*warning/g)).toHaveLength(1)
    expect(r.stderr).toContain('1 of 2 decks failed')
  })
})
