import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { renderSource } from '../../src/render/render.js'
import { PACKAGE_THEME_DIR, ThemeRegistry } from '../../src/render/themes.js'
import { ROOT } from '../helpers/project.js'

// The package's own themes are a theme source under the project's: found by name in any
// project, hidden by a project theme of the same name, and only once in this repository,
// where the project's css/ is the package's.

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function tempDir(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deck-pkg-themes-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true })
    await writeFile(path.join(dir, name), content)
  }
  return dir
}

const PACKAGED = '/* @theme brand */\nsection { color: #112233; }\n'
const OWN = '/* @theme brand */\nsection { color: #445566; }\n'

describe('package themes', () => {
  it("are this package's css/ folder, found from the module's place", () => {
    expect(PACKAGE_THEME_DIR).toBe(path.join(ROOT, 'css'))
  })

  it('resolve by name in a project without them, and their folder is an allowed root', async () => {
    const pkg = await tempDir({ 'css/brand.css': PACKAGED, 'css/helper.css': '.x { color: red }\n' })
    const project = await tempDir({ 'slides/talk.md': '# t\n' })
    const reg = new ThemeRegistry(project, path.join(pkg, 'css'))
    await reg.addProject([])
    expect(await reg.resolve('brand', path.join(project, 'slides'))).toMatchObject({
      kind: 'file',
      entry: { file: path.join(pkg, 'css/brand.css') },
    })
    expect(reg.entries().map((e) => e.name)).toEqual(['brand'])
    expect(reg.folders()).toEqual([path.join(pkg, 'css')])
    expect(reg.fileEntry(path.join(pkg, 'css/brand.css'))?.name).toBe('brand')
    // A package CSS without @theme is not the user's business: no warning about it.
    expect(reg.takeProblems()).toEqual([])
  })

  it('give way to a project theme of the same name, and come back when it goes', async () => {
    const pkg = await tempDir({ 'css/brand.css': PACKAGED })
    const project = await tempDir({ 'css/brand.css': OWN, 'css/talk.css': "/* @theme talk */\n@import 'brand';\n" })
    const reg = new ThemeRegistry(project, path.join(pkg, 'css'))
    await reg.addProject([])
    const own = path.join(project, 'css/brand.css')
    expect(reg.get('brand')?.file).toBe(own)
    // The engine gets one theme per name, so the package's cannot override the user's.
    expect(reg.entries().map((e) => e.file)).toEqual([own, path.join(project, 'css/talk.css')])
    expect(reg.closure(reg.get('talk')!).map((e) => e.file)).toContain(own)

    const version = reg.version
    reg.remove(own)
    expect(reg.version).toBeGreaterThan(version)
    expect(reg.get('brand')?.file).toBe(path.join(pkg, 'css/brand.css'))
    expect(reg.closure(reg.get('talk')!).map((e) => e.file)).toContain(path.join(pkg, 'css/brand.css'))
  })

  it("are the project's own when the project's css/ is the package's (this repository)", async () => {
    const reg = new ThemeRegistry(ROOT)
    await reg.addProject([])
    const palette = path.join(ROOT, 'css/palette-3.css')
    expect(
      reg
        .entries()
        .filter((e) => e.name === 'palette-3')
        .map((e) => e.file),
    ).toEqual([palette])
    // Removing it (watch mode sees the file go) leaves no second copy behind.
    reg.remove(palette)
    expect(await reg.resolve('palette-3', path.join(ROOT, 'slides'))).toMatchObject({ kind: 'missing' })
  })

  it('render: `theme: palette-3` in a project without css/ uses the package theme', async () => {
    const project = await tempDir({ 'package.json': '{}\n' })
    const themes = new ThemeRegistry(project)
    await themes.addProject([])
    const deck = await renderSource(path.join(project, 'slides/talk.md'), '---\nmarp: true\ntheme: palette-3\n---\n\n# Palette\n', {
      themes,
      html: false,
      fetchRemote: false,
      remoteTimeoutMs: 100,
    })
    expect(deck.theme).toMatchObject({ name: 'palette-3', file: path.join(ROOT, 'css/palette-3.css') })
    expect(deck.css).toContain('--palette-primary')
    expect(deck.diagnostics).toEqual([])
  })
})
