import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { load } from 'cheerio'
import JSZip from 'jszip'
import { PDFDocument } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildDate, LAST_EPOCH } from '../../src/config/options.js'
import { noTokenizeTimeLimit, scopeAttribute, scopeKey } from '../../src/render/deterministic.js'
import { DeckMarp } from '../../src/render/engine.js'
import { ROOT, tempProject } from '../helpers/project.js'

// Issue #9, parts 3 and 9: the same deck gives the same bytes whatever the machine is doing, and
// a SOURCE_DATE_EPOCH the outputs cannot carry is refused. The CLI tests run bin/deck.js, which
// loads the compiled lib/ (`npm test` compiles first).

const run = promisify(execFile)
const CLI = path.join(ROOT, 'bin/deck.js')
const ENGINE = path.join(ROOT, 'lib/src/render/engine.js')

const SCOPED = `---
marp: true
---

<style scoped>h1 { color: rgb(200, 0, 0); }</style>

# One

---

<style scoped>
@keyframes pulse { from { opacity: 0 } to { opacity: 1 } }
h1 { animation: pulse 1s; }
</style>

# Two

---

# Three
`

/** A render's HTML and CSS in a separate Node process (its own Math.random), from the compiled engine. */
async function renderElsewhere(markdown: string): Promise<{ html: string; css: string }> {
  const script = `import { DeckMarp } from ${JSON.stringify(ENGINE)}
const { html, css } = new DeckMarp({}).render(${JSON.stringify(markdown)})
process.stdout.write(JSON.stringify({ html, css }))`
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { maxBuffer: 64 << 20 })
  return JSON.parse(stdout) as { html: string; css: string }
}

describe('the render depends only on its input', () => {
  it('gives <style scoped> the same scope ids in every engine and process, derived from the slide and its styles', async () => {
    const a = new DeckMarp({}).render(SCOPED)
    const b = new DeckMarp({}).render(SCOPED)
    const c = await renderElsewhere(SCOPED)
    expect(b.html).toBe(a.html)
    expect(b.css).toBe(a.css)
    expect(c.html).toBe(a.html)
    expect(c.css).toBe(a.css)

    // Upstream shape (Marpit 3.2.3 style/assign.js): the key this project sets is the one Marpit
    // scopes with, the slide carries exactly that one scope attribute, and Marpit adds none of
    // its own. A change upstream breaks one of these.
    const $ = load(a.html)
    const sections = $('section[id]').toArray()
    expect(sections).toHaveLength(3)
    const scopeAttrs = sections.map((s) => Object.keys(s.attribs).filter((n) => n.startsWith('data-marpit-scope-')))
    const one = scopeAttribute(scopeKey(0, ['h1 { color: rgb(200, 0, 0); }']))
    expect(scopeAttrs[0]).toEqual([one])
    expect(scopeAttrs[1]).toHaveLength(1)
    expect(scopeAttrs[1]![0]).not.toBe(one)
    expect(scopeAttrs[2]).toEqual([])
    // (Booleans, not toContain: a failure would print the whole theme.)
    const two = scopeAttrs[1]![0]!.slice('data-marpit-scope-'.length)
    expect(a.css.includes(`section[${one}] :is(h1, marp-h1){color:rgb(200, 0, 0)}`), 'slide 1 scoped by its key').toBe(true)
    // Keyframes are renamed with the same key, and the animation follows.
    expect(a.css.includes(`@keyframes pulse-${two}{`), 'keyframes renamed').toBe(true)
    expect(
      a.css.includes(`section[data-marpit-scope-${two}] :is(h1, marp-h1){animation:pulse-${two} 1s}`),
      'slide 2 scoped by its key',
    ).toBe(true)
    // Another style on the same slide gives another key.
    const other = new DeckMarp({}).render(SCOPED.replace('rgb(200, 0, 0)', 'rgb(0, 0, 200)'))
    expect(other.html).not.toContain(one)
  })

  it('highlights code the same however long tokenizing takes (no shiki time limit)', () => {
    // Every read of the clock jumps a second, so any per-line time limit is always exceeded.
    // The code is unique to this test, so no highlight cache of this process answers it.
    const code = `cat determinism-${process.pid}.sh | grep -v "#" > out.txt`
    const markdown = `---\nmarp: true\n---\n\n\`\`\`bash\n${code}\n\`\`\`\n`
    let clock = Date.now()
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => (clock += 1000))
    try {
      const engine = new DeckMarp({})
      expect(engine.shikiTransformers).toContain(noTokenizeTimeLimit)
      const $ = load(engine.render(markdown).html)
      const tokens = $('pre code.language-bash span.line > span')
        .toArray()
        .map((s) => [$(s).text(), $(s).attr('style')])
      // Without the fix the first scan ends the line: one plain span holding the whole of it.
      expect(tokens.length).toBeGreaterThan(3)
      expect(tokens[0]).toEqual(['cat', 'color:var(--marp-shiki-token-function)'])
      expect(tokens.map(([t]) => t).join('')).toBe(code)
      expect(spy).toHaveBeenCalled()
    } finally {
      spy.mockRestore()
    }
  })
})

describe('SOURCE_DATE_EPOCH', () => {
  const deck = `---\nmarp: true\ntitle: Dated\n---\n\n# Dated\n`
  let dir: string
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    ;({ dir, cleanup } = await tempProject({ 'slides/dated.md': deck }))
  })
  afterAll(() => cleanup?.())

  const deckCli = (epoch: string, out: string) =>
    run(process.execPath, [CLI, 'build', 'slides/dated.md', '--format', 'html,pdf,pptx', '--out', out], {
      cwd: dir,
      env: { ...process.env, SOURCE_DATE_EPOCH: epoch },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    )

  it.each(['99999999999999', 'abc', '1.5', '-1', '1e9', ' 42', String(LAST_EPOCH + 1)])(
    'refuses %j: exit 2, a clear message, no output',
    async (epoch) => {
      const r = await deckCli(epoch, `out-${Buffer.from(epoch).toString('hex')}`)
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`SOURCE_DATE_EPOCH must be a whole number of seconds from 0 to ${LAST_EPOCH}`)
      expect(r.stderr).toContain(`got "${epoch}"`)
      expect(r.stderr).toContain('zip dates end with 2107')
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(existsSync(path.join(dir, `out-${Buffer.from(epoch).toString('hex')}`))).toBe(false)
    },
  )

  it('takes the whole range: 0, and the last second a PPTX can hold', async () => {
    expect(buildDate({ SOURCE_DATE_EPOCH: '0' }).toISOString()).toBe('1970-01-01T00:00:00.000Z')
    expect(buildDate({ SOURCE_DATE_EPOCH: '' }).toISOString()).toBe('2000-01-01T00:00:00.000Z')
    expect(buildDate({ SOURCE_DATE_EPOCH: String(LAST_EPOCH) }).toISOString()).toBe('2107-12-31T23:59:59.000Z')

    const r = await deckCli(String(LAST_EPOCH), 'last')
    expect(r.code).toBe(0)
    const pdf = await PDFDocument.load(await readFile(path.join(dir, 'last/dated.pdf')), { updateMetadata: false })
    expect(pdf.getCreationDate()?.toISOString()).toBe('2107-12-31T23:59:59.000Z')
    expect(pdf.getModificationDate()?.toISOString()).toBe('2107-12-31T23:59:59.000Z')
    const zip = await JSZip.loadAsync(await readFile(path.join(dir, 'last/dated.pptx')))
    const core = await zip.file('docProps/core.xml')!.async('string')
    expect(core).toContain('>2107-12-31T23:59:59Z</dcterms:created>')
    // Zip entries hold local DOS time in 2-second steps; JSZip reads them as UTC.
    for (const entry of Object.values(zip.files)) expect(entry.date.toISOString()).toBe('2107-12-31T23:59:58.000Z')
  })
})
