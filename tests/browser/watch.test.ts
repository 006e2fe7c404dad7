import { existsSync, unlinkSync } from 'node:fs'
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import { isDeckError } from '../../src/util/errors.js'
import { Watcher } from '../../src/watch/watcher.js'
import { buildOptions, tempProject } from '../helpers/project.js'
import { EventLog, until } from '../helpers/watch.js'

// Two 1×1 PNGs of different colours: an image edit changes the bytes the deck inlines.
const RED_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC'
const GREEN_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNg+M8AAAICAQB7CYF4AAAAAElFTkSuQmCC'

const deckA = (text: string, theme = 'palette-3') => `---
marp: true
theme: ${theme}
---

# Deck A

${text}

---

![w:50](img/pic.png)
`
const deckB = (text: string) => `---
marp: true
---

# Deck B

${text}
`

describe('watch mode with real files and a real chokidar', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let builder: Builder
  let watcher: Watcher
  const log = new EventLog()
  const slides = (name: string) => path.join(dir, 'slides', name)
  const html = (name: string) => readFile(path.join(dir, 'dist', name.replace(/\.md$/, '.html')), 'utf8')
  const paletteCss = () => path.join(dir, 'css/palette-3.css')
  let paletteOriginal: string

  /** Wait for the next HTML event of `deck` after `since`, and for the watcher to go quiet. */
  const nextHtml = async (deck: string, since: number) => {
    const b = await until(() => log.html.slice(since).find((h) => h.deck === deck), `HTML of ${path.basename(deck)}`)
    await watcher.idle()
    return b
  }

  beforeAll(async () => {
    const p = await tempProject({
      'slides/a.md': deckA('first version'),
      'slides/b.md': deckB('first version'),
      'slides/img/pic.png': '',
    })
    dir = p.dir
    cleanup = p.cleanup
    await writeFile(slides('img/pic.png'), Buffer.from(RED_PNG, 'base64'))
    paletteOriginal = await readFile(paletteCss(), 'utf8')
    builder = new Builder(buildOptions(dir, { formats: ['html'] }))
    await builder.init()
    // A long quiet period makes "a burst is one build" independent of how busy the machine is.
    watcher = new Watcher({ builder, inputs: [], formats: ['html'], events: log.events, debounceMs: 100 })
    await watcher.start()
    await until(() => log.html.length >= 2 && log.html, 'the first build')
    await watcher.idle()
  })

  afterAll(async () => {
    await watcher?.close()
    await builder?.close()
    await cleanup?.()
  })

  it('builds every deck once at start', async () => {
    expect(log.html.map((h) => path.basename(h.deck)).sort()).toEqual(['a.md', 'b.md'])
    expect(log.html.every((h) => h.result.errors.length === 0)).toBe(true)
    expect(await html('a.md')).toContain('first version')
    expect(watcher.deckFiles.map((f) => path.basename(f))).toEqual(['a.md', 'b.md'])
  })

  it('rebuilds only the edited deck', async () => {
    const m = log.mark()
    await writeFile(slides('a.md'), deckA('second version'))
    await nextHtml(slides('a.md'), m.html)
    expect(log.starts.slice(m.starts)).toEqual([slides('a.md')])
    expect(await html('a.md')).toContain('second version')
  })

  it('handles an atomic save (temp file + rename) as one change of the deck', async () => {
    const m = log.mark()
    const tmp = slides('a.md.tmp')
    await writeFile(tmp, deckA('atomic version'))
    await rename(tmp, slides('a.md'))
    await nextHtml(slides('a.md'), m.html)
    expect(log.starts.slice(m.starts)).toEqual([slides('a.md')])
    expect(log.removed.length).toBe(m.removed)
    expect(await html('a.md')).toContain('atomic version')
  })

  it('handles a vim save (4913 probe, swap file, ~ backup, new file) without a delete', async () => {
    const m = log.mark()
    await writeFile(slides('.a.md.swp'), 'swap')
    await writeFile(slides('4913'), '')
    await rm(slides('4913'))
    await rename(slides('a.md'), slides('a.md~'))
    await writeFile(slides('a.md'), deckA('vim version'))
    await rm(slides('a.md~'))
    await rm(slides('.a.md.swp'))
    await nextHtml(slides('a.md'), m.html)
    expect(log.starts.slice(m.starts)).toEqual([slides('a.md')])
    expect(log.removed.length).toBe(m.removed)
    expect(await html('a.md')).toContain('vim version')
  })

  it('never builds for files in dist/ or editor temp files', async () => {
    const m = log.mark()
    await writeFile(path.join(dir, 'dist', 'stray.md'), '# not a deck')
    await writeFile(slides('notes.md~'), '# backup')
    await writeFile(slides('#a.md#'), '# emacs autosave')
    await writeFile(slides('.#a.md'), 'lock')
    await sleep(400)
    await watcher.idle()
    expect(log.starts.length).toBe(m.starts)
    // And a real edit afterwards is still seen: the watcher is not stuck.
    await writeFile(slides('b.md'), deckB('after temp files'))
    await nextHtml(slides('b.md'), m.html)
    expect(await html('b.md')).toContain('after temp files')
  })

  it('coalesces a burst of 50 saves into one build, and the last content wins', async () => {
    const m = log.mark()
    // Back to back, as an editor's save storm: no timer between writes, so a busy machine
    // cannot stretch the burst past the quiet period.
    for (let i = 0; i < 50; i += 1) await writeFile(slides('a.md'), deckA(`burst ${i}`))
    await nextHtml(slides('a.md'), m.html)
    const builds = log.starts.slice(m.starts)
    expect(builds.every((d) => d === slides('a.md'))).toBe(true)
    expect(builds.length).toBeGreaterThanOrEqual(1)
    expect(builds.length).toBeLessThanOrEqual(2)
    const out = await html('a.md')
    expect(out).toContain('burst 49')
    expect(out).not.toMatch(/burst (?:[0-9]|[1-3][0-9]|4[0-8])\b/)
  })

  it('removes the outputs of a deleted deck and builds it again when it comes back', async () => {
    const m = log.mark()
    await rm(slides('b.md'))
    await until(() => log.removed.slice(m.removed).find((r) => r.deck === slides('b.md')), 'removal of b')
    expect(existsSync(path.join(dir, 'dist/b.html'))).toBe(false)
    expect(log.removed.at(-1)?.files.map((f) => path.basename(f))).toEqual(['b.html'])
    expect(watcher.deckFiles.map((f) => path.basename(f))).toEqual(['a.md'])

    await writeFile(slides('b.md'), deckB('recreated'))
    await nextHtml(slides('b.md'), m.html)
    expect(await html('b.md')).toContain('recreated')
  })

  it('picks up a new deck', async () => {
    const m = log.mark()
    await writeFile(slides('c.md'), deckB('brand new deck'))
    await nextHtml(slides('c.md'), m.html)
    expect(await html('c.md')).toContain('brand new deck')
  })

  it('treats a deck deleted in the middle of its build as deleted, not as an error', async () => {
    const m = log.mark()
    log.onStart = (deck) => {
      if (deck === slides('c.md')) {
        log.onStart = undefined
        unlinkSync(deck)
      }
    }
    await writeFile(slides('c.md'), deckB('about to vanish'))
    await until(() => log.removed.slice(m.removed).find((r) => r.deck === slides('c.md')), 'removal of c')
    await watcher.idle()
    expect(existsSync(path.join(dir, 'dist/c.html'))).toBe(false)
    expect(log.errors.length).toBe(m.errors)
    expect(log.html.slice(m.html).filter((h) => h.deck === slides('c.md'))).toEqual([])
  })

  it('rebuilds exactly the decks that use an edited theme', async () => {
    const m = log.mark()
    await writeFile(paletteCss(), `${paletteOriginal}\nsection.watch-marker { color: #123456; }\n`)
    await nextHtml(slides('a.md'), m.html)
    expect(log.starts.slice(m.starts)).toEqual([slides('a.md')])
    expect(await html('a.md')).toContain('#123456')
  })

  it('rebuilds the decks that show an edited image', async () => {
    const m = log.mark()
    await writeFile(slides('img/pic.png'), Buffer.from(GREEN_PNG, 'base64'))
    await nextHtml(slides('a.md'), m.html)
    expect(log.starts.slice(m.starts)).toEqual([slides('a.md')])
    expect(await html('a.md')).toContain(GREEN_PNG)
  })

  it('reports a broken deck with file and keeps the last good output, then clears it when fixed', async () => {
    let m = log.mark()
    const good = await html('a.md')
    await writeFile(slides('broken.css'), 'section { color: red }\n')
    await writeFile(slides('a.md'), deckA('broken version', './broken.css'))
    const failed = await nextHtml(slides('a.md'), m.html)
    expect(failed.result.errors).toHaveLength(1)
    const error = failed.result.errors[0]
    // The error points at the deck's `theme:` line and names the CSS file.
    expect(isDeckError(error) && error.location).toEqual({ file: slides('a.md'), line: 3 })
    expect(isDeckError(error) && error.message).toContain('slides/broken.css: theme file has no @theme name')
    expect(await html('a.md')).toBe(good)

    m = log.mark()
    await writeFile(slides('a.md'), deckA('fixed version'))
    const fixed = await nextHtml(slides('a.md'), m.html)
    expect(fixed.result.errors).toEqual([])
    expect(await html('a.md')).toContain('fixed version')
  })

  it('reports invalid YAML in the front matter with its line, and keeps building', async () => {
    const m = log.mark()
    await writeFile(slides('b.md'), deckB('yaml typo').replace('marp: true', 'marp: true\npaginate: [true'))
    const b = await nextHtml(slides('b.md'), m.html)
    expect(b.result.errors).toEqual([])
    expect(b.result.diagnostics).toContainEqual(expect.objectContaining({ rule: 'front-matter', line: 3 }))
    expect(await html('b.md')).toContain('yaml typo')
  })

  it('reports a broken theme file on the decks that use it, then recovers', async () => {
    let m = log.mark()
    await writeFile(paletteCss(), paletteOriginal.replace(/@theme palette-3/, '@oops'))
    const failed = await nextHtml(slides('a.md'), m.html)
    expect(log.errors.slice(m.errors).map((e) => e.file)).toEqual([paletteCss()])
    expect(failed.result.errors.length).toBe(1)
    expect(log.starts.length).toBe(m.starts)

    m = log.mark()
    await writeFile(paletteCss(), paletteOriginal)
    const ok = await nextHtml(slides('a.md'), m.html)
    expect(ok.result.errors).toEqual([])
  })

  it('is still watching after all of the above', async () => {
    expect(watcher.closed).toBe(false)
    const m = log.mark()
    await writeFile(slides('a.md'), deckA('still alive'))
    await nextHtml(slides('a.md'), m.html)
    expect(await html('a.md')).toContain('still alive')
  })
})

describe('watch mode with PDF: HTML first, one warm browser that survives a crash', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let builder: Builder
  let watcher: Watcher
  const log = new EventLog()
  const deck = () => path.join(dir, 'slides/a.md')
  const pdf = () => path.join(dir, 'dist/a.pdf')

  beforeAll(async () => {
    const p = await tempProject({ 'slides/a.md': deckB('pdf one') })
    dir = p.dir
    cleanup = p.cleanup
    builder = new Builder(buildOptions(dir, { formats: ['html', 'pdf'] }))
    await builder.init()
    watcher = new Watcher({ builder, inputs: [], formats: ['html', 'pdf'], events: log.events })
    await watcher.start()
    await until(() => log.browser.length >= 1 && log.browser, 'the first PDF')
    await watcher.idle()
  })

  afterAll(async () => {
    await watcher?.close()
    await builder?.close()
    await cleanup?.()
  })

  it('writes the HTML before the PDF of the same save, from one render', async () => {
    const m = log.mark()
    const o = log.order.length
    const before = (await stat(pdf())).mtimeMs
    await writeFile(deck(), deckB('pdf two'))
    await until(() => log.browser.length > m.browser, 'the PDF')
    await watcher.idle()
    expect(log.order.slice(o)).toEqual([`start:${deck()}`, `html:${deck()}`, `browser:${deck()}`])
    expect(log.starts.length - m.starts).toBe(1)
    expect(log.browser.at(-1)?.result.errors).toEqual([])
    expect((await stat(pdf())).mtimeMs).toBeGreaterThan(before)
  })

  it('relaunches a crashed browser for the next build, and leaves no Chromium behind on close', async () => {
    const browser = await builder.browser.browser()
    const first = builder.browser.pidOf(browser)
    expect(first).toBeTypeOf('number')
    // The whole process group: /usr/bin/chromium* are scripts around the real browser.
    process.kill(-first!, 'SIGKILL')
    await until(() => !browser.connected, 'the browser to disconnect')

    const m = log.mark()
    await writeFile(deck(), deckB('after crash'))
    await until(() => log.browser.length > m.browser, 'the PDF after the crash')
    await watcher.idle()
    expect(log.browser.at(-1)?.result.errors).toEqual([])
    expect(log.html.at(-1)?.result.errors).toEqual([])

    const second = builder.browser.pidOf(await builder.browser.browser())
    expect(second).toBeTypeOf('number')
    expect(second).not.toBe(first)
    await watcher.close()
    await builder.close()
    const alive = (pid: number | undefined) => {
      try {
        return pid !== undefined && process.kill(-pid, 0)
      } catch {
        return false
      }
    }
    await until(() => !alive(second) || undefined, 'Chromium to exit')
    expect(alive(second)).toBe(false)
  })
})
