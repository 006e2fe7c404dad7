import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { recoverFrontMatter } from '../../src/render/frontmatter.js'
import { normaliseSource } from '../../src/render/render.js'
import { SEED } from '../helpers/project.js'

describe('recoverFrontMatter', () => {
  it('keeps every valid key of the seed and reports the @auto-scaling line', async () => {
    const seed = normaliseSource(await readFile(SEED, 'utf8'))
    const out = recoverFrontMatter(seed)
    expect(out.data).toEqual({ marp: true, theme: './css/palette-3.css', paginate: true, class: 'font-xs' })
    expect(out.issues).toHaveLength(1)
    expect(out.issues[0]!.line).toBe(6)
    expect(out.issues[0]!.message).toContain('@auto-scaling')
    expect(out.issues[0]!.hint).toContain('theme CSS')
    // Same number of lines, the bad one blanked: later line numbers stay true.
    const before = seed.split('\n')
    const after = out.markdown.split('\n')
    expect(after).toHaveLength(before.length)
    expect(after[5]).toBe('')
    expect(after.slice(6)).toEqual(before.slice(6))
  })

  it('leaves valid front matter alone and records key lines', () => {
    const md = '---\nmarp: true\ntheme: gaia\nfooter: "a: b"\n---\n# Hi\n'
    const out = recoverFrontMatter(md)
    expect(out.markdown).toBe(md)
    expect(out.issues).toEqual([])
    expect(out.keyLines.get('theme')).toBe(3)
    expect(out.data['footer']).toBe('a: b')
  })

  it('drops only the broken entry of a multi-line front matter', () => {
    const md = '---\nmarp: true\nstyle: |\n  section { color: red }\nbad: [unclosed\npaginate: true\n---\n'
    const out = recoverFrontMatter(md)
    expect(out.issues.map((i) => i.line)).toEqual([5])
    expect(out.data).toEqual({ marp: true, style: 'section { color: red }\n', paginate: true })
  })

  it('does nothing without front matter', () => {
    const md = '# Just a heading\n\n---\n\nSecond'
    expect(recoverFrontMatter(md)).toMatchObject({ markdown: md, data: {}, issues: [] })
  })
})

describe('normaliseSource', () => {
  it('strips a BOM and CRLF without changing line numbers', () => {
    const raw = '\uFEFF---\r\nmarp: true\r\n---\r\n# A\r\n'
    const out = normaliseSource(raw)
    expect(out).toBe('---\nmarp: true\n---\n# A\n')
    expect(out.split('\n')).toHaveLength(raw.split('\n').length)
  })
})
