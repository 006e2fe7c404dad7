import { mkdir, realpath, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DeckError, isDeckError } from '../../src/util/errors.js'
import { loadConfig } from '../../src/config/load.js'
import { applyConfig } from '../../src/config/merge.js'
import { findProjectRoot } from '../../src/config/root.js'
import { CONFIG_DEFAULTS, defineConfig, validateConfig } from '../../src/config/schema.js'
import { resolveSettings } from '../../src/pipeline/settings.js'
import { ROOT, tempProject } from '../helpers/project.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

/** A temp project (its real path: macOS and some CI runners put tmp behind a symlink). */
async function project(files: Record<string, string>): Promise<string> {
  const { dir, cleanup } = await tempProject(files)
  cleanups.push(cleanup)
  return realpath(dir)
}

/** The DeckError a promise or call rejects with; fails the test when it does not. */
async function deckError(run: () => unknown): Promise<DeckError> {
  let caught: unknown
  try {
    await run()
  } catch (e) {
    caught = e
  }
  if (!isDeckError(caught)) throw new Error(`expected a DeckError, got ${String(caught)}`)
  return caught
}

const SCHEMA_TS = path.join(ROOT, 'src/config/schema.ts')

describe('findProjectRoot', () => {
  it('is the nearest folder upward with a package.json or a deck or marp-cli config; cwd when none', async () => {
    const dir = await project({
      'package.json': '{}',
      'slides/2025/talk.md': '# Hi\n',
      'sub/pkg/.marprc.yml': 'html: true\n',
      'other/deck.config.ts': 'export default {}\n',
    })
    expect(await findProjectRoot(path.join(dir, 'slides/2025'))).toBe(dir)
    expect(await findProjectRoot(dir)).toBe(dir)
    expect(await findProjectRoot(path.join(dir, 'sub/pkg'))).toBe(path.join(dir, 'sub/pkg'))
    expect(await findProjectRoot(path.join(dir, 'other'))).toBe(path.join(dir, 'other'))
    const bare = await project({})
    await mkdir(path.join(bare, 'a/b'), { recursive: true })
    expect(await findProjectRoot(path.join(bare, 'a/b'))).toBe(path.join(bare, 'a/b'))
  })
})

describe('loadConfig: each kind of file', () => {
  it('reads deck.config.json from a subfolder, with paths relative to the config file', async () => {
    const dir = await project({
      'deck.config.json': JSON.stringify({
        out: 'site',
        formats: ['html', 'PDF'],
        themeSet: 'themes',
        html: true,
        keywords: 'a, b',
        lint: { strict: true },
      }),
      'slides/a/talk.md': '# Hi\n',
    })
    const loaded = await loadConfig({ cwd: path.join(dir, 'slides/a') })
    expect(loaded).toMatchObject({ root: dir, file: path.join(dir, 'deck.config.json'), source: 'deck', warnings: [] })
    expect(loaded.config).toEqual({
      out: path.join(dir, 'site'),
      formats: ['html', 'pdf'],
      themeSet: [path.join(dir, 'themes')],
      html: true,
      keywords: ['a', 'b'],
      lint: { strict: true, minCodeFontPx: 12, rules: {} },
    })
  })

  it('imports deck.config.js, .mjs and .ts (typed through defineConfig)', async () => {
    const js = await project({ 'package.json': '{ "type": "module" }', 'deck.config.js': 'export default { imageScale: 2 }\n' })
    expect((await loadConfig({ cwd: js })).config).toEqual({ imageScale: 2 })
    const mjs = await project({ 'deck.config.mjs': 'export default Promise.resolve({ watch: { port: 9000, open: false } })\n' })
    expect((await loadConfig({ cwd: mjs })).config).toEqual({ watch: { port: 9000, open: false } })
    const ts = await project({
      'deck.config.ts': [
        `import { defineConfig } from ${JSON.stringify(SCHEMA_TS)}`,
        `const formats: ('html' | 'pdf')[] = ['pdf']`,
        `export default defineConfig({ formats, browserTimeout: 45, inputDir: 'talks' })`,
        '',
      ].join('\n'),
    })
    const loaded = await loadConfig({ cwd: ts })
    expect(loaded.source).toBe('deck')
    expect(loaded.config).toEqual({ formats: ['pdf'], browserTimeout: 45, inputDir: path.join(ts, 'talks') })
    expect(defineConfig({ out: 'x' })).toEqual({ out: 'x' })
  })

  it('reads marp-cli configs: .marprc.yml, "marp" in package.json, marp.config.mjs, .marprc without extension', async () => {
    const yml = await project({ '.marprc.yml': 'inputDir: ./talks\noutput: ./public\nthemeSet: ./themes\nhtml: true\n' })
    const a = await loadConfig({ cwd: yml })
    expect(a).toMatchObject({ source: 'marp-cli', file: path.join(yml, '.marprc.yml'), warnings: [] })
    expect(a.config).toEqual({
      inputDir: path.join(yml, 'talks'),
      out: path.join(yml, 'public'),
      themeSet: [path.join(yml, 'themes')],
      html: true,
    })

    const pkg = await project({ 'package.json': JSON.stringify({ name: 'x', marp: { pdf: true, allowLocalFiles: true } }) })
    expect(await loadConfig({ cwd: pkg })).toMatchObject({ source: 'marp-cli', config: { formats: ['pdf'], allowLocalFiles: true } })

    const mjs = await project({
      'package.json': '{"name": "no-marp-key"}',
      'marp.config.mjs': 'export default { pptx: true, title: "T" }\n',
    })
    expect(await loadConfig({ cwd: mjs })).toMatchObject({
      source: 'marp-cli',
      file: path.join(mjs, 'marp.config.mjs'),
      config: { formats: ['pptx'], title: 'T' },
    })

    const rc = await project({ '.marprc': '{ "pdfNotes": true }\n' })
    expect((await loadConfig({ cwd: rc })).config).toEqual({ pdfNotes: true })
  })

  it('prefers the deck config to a marp-cli config, and warns about a second deck config', async () => {
    const dir = await project({
      'deck.config.json': '{ "html": false }',
      'deck.config.ts': 'export default { html: true }\n',
      '.marprc.yml': 'html: true\n',
    })
    const loaded = await loadConfig({ cwd: dir })
    expect(loaded).toMatchObject({ source: 'deck', config: { html: false } })
    expect(loaded.warnings).toEqual([
      expect.objectContaining({ file: path.join(dir, 'deck.config.ts'), message: expect.stringContaining('deck.config.json') }),
    ])
  })

  it('none: an empty config', async () => {
    const dir = await project({ 'package.json': '{}' })
    expect(await loadConfig({ cwd: dir })).toEqual({ root: dir, source: 'none', config: {}, warnings: [] })
  })

  it('--config-file: relative to the cwd; paths in it relative to its own folder', async () => {
    const dir = await project({
      'package.json': '{}',
      'config/deck.config.json': JSON.stringify({
        out: '../build',
        inputDir: '../decks',
        browserPath: 'bin/chrome',
        theme: '../css/x.css',
        image: 'og.png',
        decks: ['../decks/a.md'],
      }),
      'config/marp.yml': 'output: ../out.pdf\ntheme: gaia\nogImage: https://example.com/og.png\n',
    })
    const deck = await loadConfig({ cwd: dir, configFile: 'config/deck.config.json' })
    expect(deck.config).toEqual({
      out: path.join(dir, 'build'),
      inputDir: path.join(dir, 'decks'),
      browserPath: path.join(dir, 'config/bin/chrome'),
      theme: path.join(dir, 'css/x.css'),
      image: path.join(dir, 'config/og.png'),
      decks: [path.join(dir, 'decks/a.md')],
    })
    const marp = await loadConfig({ cwd: path.join(dir, 'slides'), configFile: '../config/marp.yml' })
    expect(marp).toMatchObject({
      root: dir,
      source: 'marp-cli',
      config: { out: path.join(dir, 'out.pdf'), formats: ['pdf'], theme: 'gaia', image: 'https://example.com/og.png' },
    })
    const missing = await deckError(() => loadConfig({ cwd: dir, configFile: 'nope.yml' }))
    expect(missing.code).toBe(2)
    expect(missing.message).toContain('nope.yml')
  })
})

describe('loadConfig: errors name the file, the key and the line', () => {
  it('bad values and unknown keys are usage errors (exit 2) naming the key', async () => {
    const cases: [string, RegExp, RegExp?, number?][] = [
      ['{\n  "formats": ["pdf", "docx"]\n}', /"formats" must be a list of html, pdf, pptx, png/, undefined, 2],
      ['{ "fromats": ["pdf"] }', /unknown key "fromats"/, /Did you mean "formats"\?/],
      ['{ "output": "x" }', /unknown key "output"/, /Did you mean "out"\?/],
      ['{\n  "watch": {\n    "prot": 80\n  }\n}', /unknown key "watch\.prot"/, /Did you mean "watch\.port"\?/, 3],
      ['{ "watch": { "port": 70000 } }', /"watch\.port" must be a port number/],
      ['{ "imageScale": 0 }', /"imageScale" must be a positive number/],
      ['{ "html": "yes" }', /"html" must be true or false/],
      ['{ "url": "talk.html" }', /"url" must be an absolute URL/],
      ['{ "keywords": ["a", 3] }', /"keywords" must be a string or a list of strings/],
      ['{ "math": "latex" }', /"math" must be true, false, "mathjax" or "katex"/],
      ['{ "lint": { "strcit": true } }', /unknown key "lint\.strcit"/, /Did you mean "lint\.strict"\?/],
      ['{\n  "lint": {\n    "rules": {\n      "overflw": "off"\n    }\n  }\n}', /^unknown rule "overflw"$/, /Rules are/, 4],
      ['[1, 2]', /must hold an object/],
    ]
    for (const [json, message, hint, line] of cases) {
      const dir = await project({ 'deck.config.json': json })
      const e = await deckError(() => loadConfig({ cwd: dir }))
      expect(e.code, json).toBe(2)
      expect(e.location?.file).toBe(path.join(dir, 'deck.config.json'))
      expect(e.message, json).toMatch(message)
      if (hint) expect(e.hint, json).toMatch(hint)
      if (line) expect(e.location?.line, json).toBe(line)
    }
  })

  it('validateConfig alone: the same checks for a JS config', () => {
    expect(validateConfig({ out: 'a', pdfOutlines: { pages: true } }, '/p/deck.config.mjs')).toEqual({
      out: 'a',
      pdfOutlines: { pages: true, headings: false },
    })
    expect(validateConfig({ keywords: ['a', 'b, c', 'a'] }, '/p/deck.config.mjs')).toEqual({ keywords: ['a', 'b, c'] })
    expect(() => validateConfig({ formats: 'pdf' }, '/p/deck.config.mjs')).toThrow(/"formats" must be a list/)
  })

  it('a file that is not valid JSON or YAML, or a config that throws: the file and the line', async () => {
    const json = await project({ 'deck.config.json': '{\n  "out": "dist",\n  nope\n}\n' })
    const a = await deckError(() => loadConfig({ cwd: json }))
    expect([a.code, a.location, a.message]).toEqual([
      2,
      { file: path.join(json, 'deck.config.json'), line: 3 },
      expect.stringMatching(/^not valid JSON/),
    ])

    const yml = await project({ '.marprc.yml': 'html: true\noutput: [dist\ntheme: x\n' })
    const b = await deckError(() => loadConfig({ cwd: yml }))
    expect([b.code, b.location?.file, b.message]).toEqual([2, path.join(yml, '.marprc.yml'), expect.stringMatching(/^not valid YAML/)])
    expect(b.location?.line).toBeGreaterThanOrEqual(2)

    const throws = await project({ 'deck.config.mjs': 'const x = 1\nthrow new Error("boom")\nexport default {}\n' })
    const c = await deckError(() => loadConfig({ cwd: throws }))
    expect([c.code, c.location, c.message]).toEqual([
      2,
      { file: path.join(throws, 'deck.config.mjs'), line: 2 },
      expect.stringContaining('boom'),
    ])

    const syntax = await project({ 'deck.config.ts': 'export default {\n  out: \n}}\n' })
    const d = await deckError(() => loadConfig({ cwd: syntax }))
    expect([d.code, d.location?.file]).toEqual([2, path.join(syntax, 'deck.config.ts')])

    const noDefault = await project({ 'deck.config.mjs': 'export const out = "x"\n' })
    expect((await deckError(() => loadConfig({ cwd: noDefault }))).message).toMatch(/no default export/)
  })
})

describe('marp-cli config', () => {
  it('maps the keys with a meaning here and warns once per key that is not honoured', async () => {
    const dir = await project({
      '.marprc.yml': [
        'inputDir: talks',
        'output: out',
        'theme: ./themes/brand.css',
        'themeSet: [themes, more.css]',
        'html: true',
        'allowLocalFiles: true',
        'pdf: true',
        'pptx: true',
        'images: png',
        'pdfNotes: true',
        'pdfOutlines: { pages: true }',
        'imageScale: 2',
        'title: Talk',
        'description: About',
        'author: Me',
        'keywords: [k8s, cni]',
        'url: https://example.com/talk',
        'ogImage: og.png',
        'lang: de',
        'browserPath: /usr/bin/chromium',
        'browserTimeout: 90',
        'options:',
        '  math: katex',
        '  looseYAML: true',
        'engine: ./engine.js',
        'template: bare',
        'watch: false',
        'server: true',
        'paralel: 3',
        '',
      ].join('\n'),
    })
    const { config, warnings, file } = await loadConfig({ cwd: dir })
    expect(config).toEqual({
      inputDir: path.join(dir, 'talks'),
      out: path.join(dir, 'out'),
      theme: path.join(dir, 'themes/brand.css'),
      themeSet: [path.join(dir, 'themes'), path.join(dir, 'more.css')],
      html: true,
      allowLocalFiles: true,
      formats: ['pdf', 'pptx', 'png'],
      pdfNotes: true,
      pdfOutlines: { pages: true, headings: false },
      imageScale: 2,
      title: 'Talk',
      description: 'About',
      author: 'Me',
      keywords: ['k8s', 'cni'],
      url: 'https://example.com/talk',
      image: path.join(dir, 'og.png'),
      lang: 'de',
      browserPath: '/usr/bin/chromium',
      browserTimeout: 90,
      math: 'katex',
    })
    const byKey = Object.fromEntries(warnings.map((w) => [/"([\w.]+)"/.exec(w.message)?.[1], w]))
    expect(Object.keys(byKey).sort()).toEqual(['engine', 'options.looseYAML', 'paralel', 'server', 'template'])
    for (const w of warnings) expect(w).toMatchObject({ file, severity: 'warning', rule: 'config', hint: expect.any(String) })
    expect(byKey['engine']).toMatchObject({ line: 25, message: expect.stringMatching(/^marp-cli option "engine" is not honoured/) })
    expect(byKey['template']!.line).toBe(26)
    expect(byKey['options.looseYAML']!.line).toBe(24)
    expect(byKey['paralel']!.hint).toBe('Did you mean "parallel"?')
    expect(byKey['server']!.hint).toMatch(/deck watch/)
  })

  it('the output type from the output file and an HTML allowlist are warned about; mathjax is honoured', async () => {
    const dir = await project({
      'marp.config.cjs':
        'module.exports = { output: "talk.pdf", html: { br: [] }, options: { math: { lib: "mathjax" } }, image: "jpeg" }\n',
    })
    const { config, warnings } = await loadConfig({ cwd: dir })
    expect(config).toEqual({ out: path.join(dir, 'talk.pdf'), formats: ['pdf'], math: 'mathjax' })
    expect(warnings.map((w) => /"([\w.]+)"/.exec(w.message)?.[1]).sort()).toEqual(['html', 'image'])
  })

  it('wrong types in a marp-cli config are usage errors naming the key', async () => {
    const dir = await project({ '.marprc.json': '{\n  "imageScale": "big"\n}\n' })
    const e = await deckError(() => loadConfig({ cwd: dir }))
    expect([e.code, e.location, e.message]).toEqual([
      2,
      { file: path.join(dir, '.marprc.json'), line: 2 },
      expect.stringContaining('"imageScale" must be a positive number'),
    ])
  })
})

describe('precedence: options (flags) over the config file over the defaults', () => {
  const configJson = {
    out: 'cfg-out',
    formats: ['pdf'],
    html: true,
    imageScale: 2,
    browserTimeout: 60,
    watch: { port: 9000 },
    lint: { strict: false, minCodeFontPx: 14 },
    title: 'From config',
  }

  it('defaults when neither says', () => {
    const r = applyConfig({}, CONFIG_DEFAULTS, '/p')
    expect(r).toMatchObject({
      inputDir: '/p/slides',
      decks: ['/p/slides'],
      outDir: '/p/dist',
      formats: ['html', 'pdf', 'pptx'],
      themeSets: [],
      html: false,
      fetchRemote: true,
      remoteTimeoutMs: 5000,
      maxRemoteBytes: 20 * 2 ** 20,
      imageScale: 1,
      browserTimeoutMs: 30_000,
      pdfOutlines: { pages: true, headings: false },
      math: true,
      watch: { port: 8080, host: '127.0.0.1', open: true, strictPort: false },
      lint: { strict: false, minCodeFontPx: 12, rules: {} },
      metadata: {},
    })
    expect(r.outFile).toBeUndefined()
    expect(r.lang).toBeUndefined()
  })

  it('the config over the defaults, its paths relative to the config file', async () => {
    const dir = await project({ 'deck.config.json': JSON.stringify(configJson), 'package.json': '{}' })
    const s = await resolveSettings({ cwd: path.join(dir) })
    expect(s.resolved).toMatchObject({
      outDir: path.join(dir, 'cfg-out'),
      formats: ['pdf'],
      html: true,
      imageScale: 2,
      browserTimeoutMs: 60_000,
      watch: { port: 9000, strictPort: true },
      metadata: { title: 'From config' },
    })
    expect(s.build).toMatchObject({ root: dir, outDir: path.join(dir, 'cfg-out'), html: true, imageScale: 2 })
  })

  it('options over the config, their paths relative to cwd; nested settings merge key by key', async () => {
    const dir = await project({ 'deck.config.json': JSON.stringify(configJson), 'talks/.keep': '' })
    const s = await resolveSettings({
      cwd: path.join(dir, 'talks'),
      out: 'flag-out',
      formats: ['html'],
      imageScale: 3,
      browserTimeout: 5,
      offline: true,
      pdfNotes: true,
      themeSet: ['t.css'],
      title: 'From flag',
      watch: { port: 0 },
      lint: { strict: true },
    })
    expect(s.root).toBe(dir)
    expect(s.resolved).toMatchObject({
      outDir: path.join(dir, 'talks/flag-out'),
      formats: ['html'],
      html: true,
      imageScale: 3,
      browserTimeoutMs: 5000,
      watch: { port: 0, strictPort: true },
      lint: { strict: true, minCodeFontPx: 14 },
      metadata: { title: 'From flag' },
      themeSets: [path.join(dir, 'talks/t.css')],
      fetchRemote: false,
      pdfNotes: true,
    })
  })

  it('an input folder in the options replaces the decks of the config', async () => {
    const dir = await project({ 'deck.config.json': JSON.stringify({ decks: ['x.md'] }) })
    expect((await resolveSettings({ cwd: dir })).resolved.decks).toEqual([path.join(dir, 'x.md')])
    expect((await resolveSettings({ cwd: dir, inputDir: 'talks' })).resolved).toMatchObject({
      inputDir: path.join(dir, 'talks'),
      decks: [path.join(dir, 'talks')],
    })
  })

  it('an output file name takes its format, and disagreeing formats are a usage error', async () => {
    const dir = await project({ 'package.json': '{}' })
    expect((await resolveSettings({ cwd: dir, out: 'talk.pdf' })).resolved).toMatchObject({
      outDir: dir,
      outFile: path.join(dir, 'talk.pdf'),
      formats: ['pdf'],
    })
    const e = await deckError(() => resolveSettings({ cwd: dir, out: 'talk.pdf', formats: ['html', 'pdf'] }))
    expect([e.code, e.message]).toEqual([2, expect.stringContaining('talk.pdf is a file name')])
    const bad = await deckError(() => resolveSettings({ cwd: dir, imageScale: -1 }))
    expect([bad.code, bad.message]).toEqual([2, expect.stringContaining('imageScale')])
  })
})

describe('deck.config.json lint key', () => {
  it('is read as before, rules included', async () => {
    const dir = await project({
      'deck.config.json': JSON.stringify({ lint: { minCodeFontPx: 14, rules: { contrast: 'off', overflow: 'error' } } }),
    })
    await writeFile(path.join(dir, 'slides/a.md'), '# A\n')
    expect((await loadConfig({ cwd: dir })).config.lint).toEqual({
      strict: false,
      minCodeFontPx: 14,
      rules: { contrast: 'off', overflow: 'error' },
    })
  })
})
