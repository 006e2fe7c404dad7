import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { load } from 'cheerio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readPdf, readPptx } from '../helpers/outputs.js'
import { ROOT } from '../helpers/project.js'

// The package as a user gets it: `npm pack` from a copy of the sources (prepack compiles, and
// this checkout's lib/, which other tests run, is left alone), then installed from the tarball
// into a repo of the user's own, with npm's cache only, and used there through `npx deck` and
// `import { build } from 'marp-deck-pipeline'`.

const run = promisify(execFile)

/**
 * The environment for npm run from here: without the variables `npm test` sets for this
 * repository (npm_config_local_prefix would point npm back at it), and offline.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const own = /^(npm_package_|npm_lifecycle_|npm_config_local_prefix$|npm_command$|INIT_CWD$)/i
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !own.test(k)))
  return { ...env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' }
}

const sh = (cmd: string, args: string[], cwd: string) => run(cmd, args, { cwd, env: npmEnv(), maxBuffer: 16 << 20 })

/** What this checkout has that a packed copy needs no more of: installs, outputs, history. */
const NOT_COPIED = new Set(['node_modules', 'lib', 'dist', '.git', '.bench', 'coverage'])

let work: string
let tarball: string
let files: string[]
let repo: string

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'deck-package-'))
  const source = path.join(work, 'source')
  await cp(ROOT, source, { recursive: true, filter: (src) => !NOT_COPIED.has(path.relative(ROOT, src).split(path.sep)[0]!) })
  await symlink(path.join(ROOT, 'node_modules'), path.join(source, 'node_modules'), 'dir')
  await sh('npm', ['pack', '--pack-destination', work], source)
  const name = (await readdir(work)).find((n) => n.endsWith('.tgz'))
  if (!name) throw new Error(`npm pack left no tarball in ${work}`)
  tarball = path.join(work, name)
  const listing = await sh('tar', ['-tzf', tarball], work)
  files = listing.stdout
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''))
}, 600_000)

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true })
})

describe('npm pack', () => {
  it('holds the compiled lib/ with declarations, bin/, the package theme, the README and the docs it links, and nothing else', async () => {
    for (const f of [
      'package.json',
      'README.md',
      'docs/ARCHITECTURE.md',
      'docs/TRUST.md',
      'bin/deck.js',
      'css/palette-3.css',
      'lib/src/index.js',
      'lib/src/index.d.ts',
      'lib/src/cli/main.js',
      'lib/src/render/worker.js',
    ]) {
      expect(files, f).toContain(f)
    }
    const unexpected = files.filter(
      (f) =>
        !/^(package\.json|README\.md|LICENSE(\.\w+)?|docs\/[^/]+\.md|bin\/[^/]+\.js|css\/[^/]+\.css|lib\/src\/.+\.(js|d\.ts))$/.test(f),
    )
    expect(unexpected).toEqual([])
    // Every source compiled, and only those: prepack starts from an empty lib/.
    const sources = (await readdir(path.join(ROOT, 'src'), { recursive: true }))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `lib/src/${f.replace(/\.ts$/, '.js')}`)
    expect(files.filter((f) => f.endsWith('.js') && f.startsWith('lib/')).sort()).toEqual(sources.sort())
    const manifest = JSON.parse((await sh('tar', ['-xzOf', tarball, 'package/package.json'], work)).stdout) as Record<string, unknown>
    expect(manifest['private']).toBeUndefined()
    expect(manifest['bin']).toEqual({ deck: 'bin/deck.js' })
  })
})

/**
 * The user's lockfile: the tarball, and under it this repository's locked production tree (the
 * entries no dev dependency alone needs). `npm i` builds its tree from full registry documents,
 * which `npm ci` never caches; with the tree locked, npm needs only what `npm ci` cached (the
 * tarballs and the abbreviated documents that find them), so the install runs offline.
 */
async function userLock(spec: string): Promise<string> {
  const ours = JSON.parse(await readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, Record<string, unknown>>
  }
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>
  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(tarball))
    .digest('base64')}`
  const packages: Record<string, Record<string, unknown>> = {
    '': { name: 'talks', version: '1.0.0', devDependencies: { 'marp-deck-pipeline': spec } },
    'node_modules/marp-deck-pipeline': {
      version: pkg['version'],
      resolved: spec,
      integrity,
      dev: true,
      dependencies: pkg['dependencies'],
      bin: pkg['bin'],
      engines: pkg['engines'],
    },
  }
  for (const [key, entry] of Object.entries(ours.packages)) {
    if (key === '' || entry['dev'] || entry['devOptional']) continue
    packages[key] = { ...entry, dev: true }
  }
  return JSON.stringify({ name: 'talks', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)
}

const TALK = `---
marp: true
theme: my-theme
title: My talk
---

# Hello from my repo

<div class="callout">Raw <b>HTML</b> here</div>

---

## Second slide
`

const MY_THEME = `/* @theme my-theme */
@import 'default';

section { background: #fdf6e3; color: #073642; }
h1 { color: #b58900; }
.callout { border: 4px solid #d33682; }
`

/** The deck's HTML used my-theme and rendered its raw HTML as elements. */
async function expectThemedHtml(file: string): Promise<void> {
  const html = await readFile(file, 'utf8')
  const $ = load(html)
  expect($('section[data-theme="my-theme"]')).toHaveLength(2)
  expect($('style').text()).toContain('#b58900')
  expect($('div.callout > b').text()).toBe('HTML')
  expect(html).not.toContain('&lt;div')
}

describe('installed from the tarball into a user repo', () => {
  beforeAll(async () => {
    repo = path.join(work, 'talks')
    const spec = `file:../${path.basename(tarball)}`
    const content: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'talks', version: '1.0.0', private: true }, null, 2),
      'package-lock.json': await userLock(spec),
      'slides/talk.md': TALK,
      'css/my-theme.css': MY_THEME,
      '.marprc.yml': 'inputDir: slides\noutput: out\nthemeSet: css\nhtml: true\n',
    }
    for (const [name, text] of Object.entries(content)) {
      await mkdir(path.dirname(path.join(repo, name)), { recursive: true })
      await writeFile(path.join(repo, name), text)
    }
    const install = await sh('npm', ['i', '-D', tarball, '--offline', '--no-audit', '--no-fund'], repo)
    // katex is pinned to a release whose commander runs on Node 20.
    expect(install.stderr).not.toContain('EBADENGINE')
    expect(existsSync(path.join(repo, 'node_modules/.bin/deck'))).toBe(true)
  }, 600_000)

  it('`npx deck build` builds into the configured output folder with the user theme and raw HTML', async () => {
    const r = await sh('npx', ['deck', 'build'], repo)
    expect(r.stdout + r.stderr).toContain('slides/talk.md => out/talk.html')
    await expectThemedHtml(path.join(repo, 'out/talk.html'))
    const pdf = await readPdf(path.join(repo, 'out/talk.pdf'))
    expect(pdf).toMatchObject({ pages: 2, title: 'My talk' })
    expect(pdf.text[0]).toContain('Hello from my repo')
    expect((await readPptx(path.join(repo, 'out/talk.pptx'))).slides).toBe(2)
    expect(existsSync(path.join(repo, 'dist'))).toBe(false)
  })

  it('`cd slides && npx deck build talk.md` writes the same place', async () => {
    await rm(path.join(repo, 'out'), { recursive: true, force: true })
    await sh('npx', ['deck', 'build', 'talk.md', '--format', 'html'], path.join(repo, 'slides'))
    await expectThemedHtml(path.join(repo, 'out/talk.html'))
    expect(existsSync(path.join(repo, 'slides/out'))).toBe(false)
    expect(existsSync(path.join(repo, 'slides/dist'))).toBe(false)
  })

  it("a script imports { build } from the installed package and builds with the repo's config", async () => {
    await rm(path.join(repo, 'out'), { recursive: true, force: true })
    const script = [
      "import { build } from 'marp-deck-pipeline'",
      "const result = await build({ formats: ['html'] })",
      "const entry = import.meta.resolve('marp-deck-pipeline')",
      'console.log(JSON.stringify({ entry, exitCode: result.exitCode, outputs: result.decks.flatMap((d) => d.outputs.map((o) => o.file)) }))',
      '',
    ].join('\n')
    await writeFile(path.join(repo, 'build.mjs'), script)
    const r = await sh(process.execPath, ['build.mjs'], repo)
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { entry: string; exitCode: number; outputs: string[] }
    expect(result.entry).toContain('/talks/node_modules/marp-deck-pipeline/lib/src/index.js')
    expect(result.exitCode).toBe(0)
    expect(result.outputs).toEqual([path.join(repo, 'out/talk.html')])
    await expectThemedHtml(path.join(repo, 'out/talk.html'))
  })

  it('`theme: palette-3` finds the package theme by name', async () => {
    await writeFile(path.join(repo, 'slides/palette.md'), '---\nmarp: true\ntheme: palette-3\n---\n\n# Palette\n')
    const r = await sh('npx', ['deck', 'build', 'slides/palette.md', '--format', 'html'], repo)
    expect(r.stdout + r.stderr).toContain('slides/palette.md => out/palette.html')
    const $ = load(await readFile(path.join(repo, 'out/palette.html'), 'utf8'))
    expect($('section[data-theme="palette-3"]')).toHaveLength(1)
    expect($('style').text()).toContain('--palette-primary')
  })

  it('its declarations type-check in a strict TypeScript consumer', async () => {
    await writeFile(
      path.join(repo, 'check.mts'),
      [
        "import { build, defineConfig, type DeckReport } from 'marp-deck-pipeline'",
        "const config = defineConfig({ out: 'out', formats: ['html'], html: true })",
        'const reports: DeckReport[] = (await build(config)).decks',
        'export const count: number = reports.length',
        '',
      ].join('\n'),
    )
    const compilerOptions = {
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules/@types')],
    }
    await writeFile(path.join(repo, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['check.mts'] }))
    await sh(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], repo)
  })
})
