import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DeckError } from '../../src/util/errors.js'
import { parseTheme, ThemeRegistry } from '../../src/render/themes.js'
import { tempProject } from '../helpers/project.js'

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

describe('parseTheme', () => {
  it('reads the @theme name and imported themes', () => {
    const t = parseTheme('/x/a.css', '/* @theme brand\n * @size 4:3 960px 720px */\n@import \'default\';\n@import-theme "base";')
    expect(t.name).toBe('brand')
    expect(t.imports).toEqual(['default', 'base'])
  })

  it('rejects a theme without a name, naming the file', () => {
    expect(() => parseTheme('/x/nameless.css', 'section { color: red }')).toThrow(DeckError)
    try {
      parseTheme('/x/nameless.css', 'section {}')
    } catch (e) {
      expect((e as DeckError).location?.file).toBe('/x/nameless.css')
      expect((e as DeckError).hint).toContain('@theme')
    }
  })
})

describe('ThemeRegistry.resolve', () => {
  it('resolves paths relative to the deck, then the project root; names through the set', async () => {
    const p = await tempProject({
      'slides/talk.md': '# t',
      'slides/local.css': '/* @theme local */',
    })
    cleanup = p.cleanup
    const reg = new ThemeRegistry(p.dir)
    await reg.addPath(path.join(p.dir, 'css'))
    const slides = path.join(p.dir, 'slides')

    const fromRoot = await reg.resolve('./css/palette-3.css', slides)
    expect(fromRoot).toMatchObject({ kind: 'file', entry: { name: 'palette-3', file: path.join(p.dir, 'css/palette-3.css') } })

    const fromDeck = await reg.resolve('local.css', slides)
    expect(fromDeck).toMatchObject({ kind: 'file', entry: { name: 'local' } })

    expect(await reg.resolve('palette-3', slides)).toMatchObject({ kind: 'file', entry: { name: 'palette-3' } })
    expect(await reg.resolve('gaia', slides)).toEqual({ kind: 'builtin', name: 'gaia' })
    const missing = await reg.resolve('./nope.css', slides)
    expect(missing.kind).toBe('missing')
  })

  it('remembers which decks use a theme file', async () => {
    const reg = new ThemeRegistry('/p')
    reg.recordUse('/p/slides/a.md', ['/p/css/x.css'])
    reg.recordUse('/p/slides/b.md', ['/p/css/x.css', '/p/css/y.css'])
    reg.recordUse('/p/slides/a.md', ['/p/css/y.css'])
    expect(reg.decksUsing('/p/css/x.css')).toEqual(['/p/slides/b.md'])
    expect(reg.decksUsing('/p/css/y.css')).toEqual(['/p/slides/a.md', '/p/slides/b.md'])
  })
})
