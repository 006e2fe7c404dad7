import { existsSync } from 'node:fs'
import { copyFile, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Format } from '../../src/config/options.js'
import { Builder } from '../../src/pipeline/builder.js'
import type { DeckResult } from '../../src/pipeline/types.js'
import { formatDiagnostic, sortDiagnostics, type Diagnostic } from '../../src/util/diagnostics.js'
import { installLint } from '../../src/lint/index.js'
import { Printer } from '../../src/cli/printer.js'
import { startWatch, type WatchSession } from '../../src/watch/session.js'
import { readPdf } from '../helpers/outputs.js'
import { buildOptions, SEED, tempProject } from '../helpers/project.js'
import { EventLog, until } from '../helpers/watch.js'

// Watch mode under the faults a presenter's watcher meets over hours: save storms, a theme file
// replaced by rename, a browser that dies, an output folder that is deleted. Each test runs the
// real session (`deck watch` without its command line): chokidar, the warm pages, one Chromium.

const deck = (title: string, text: string) => `---
marp: true
theme: palette-3
---

# ${title}

${text}

---

## Second slide

\`\`\`js
const answer = 42
\`\`\`
`

async function session(dir: string, formats: Format[], log: EventLog): Promise<WatchSession> {
  const printer = new Printer({ cwd: dir, quiet: true, stream: new PassThrough() })
  return startWatch({
    build: buildOptions(dir, { formats }),
    inputs: [],
    onEvent: (event) => printer.event(event),
    port: 0,
    events: log.events,
  })
}

/**
 * A temp project with `files`, watched (HTML and `formats`) until its first `first` browser builds
 * are done; `prepare` runs on the folder before the watch starts.
 */
async function startWatched(
  files: Record<string, string>,
  formats: Format[],
  log: EventLog,
  first: number,
  prepare?: (dir: string) => Promise<void>,
): Promise<{ dir: string; cleanup: () => Promise<void>; watch: WatchSession }> {
  const { dir, cleanup } = await tempProject(files)
  await prepare?.(dir)
  const watch = await session(dir, formats, log)
  await until(() => log.browser.length >= first && log.browser, 'the first outputs')
  await watch.watcher.idle()
  return { dir, cleanup, watch }
}

async function stopWatched(watch: WatchSession | undefined, cleanup: (() => Promise<void>) | undefined): Promise<void> {
  await watch?.close()
  await cleanup?.()
}

const pdfText = async (file: string): Promise<string> => (await readPdf(file)).text.join('\n')

/** Findings as a reader sees them: rule, place and message, sorted. */
const findings = (list: Diagnostic[], cwd: string): string[] => sortDiagnostics(list).map((d) => `${formatDiagnostic(d, cwd)} [${d.rule}]`)

describe('watch always builds the last save', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let watch: WatchSession
  const log = new EventLog()
  const file = () => path.join(dir, 'slides/talk.md')

  beforeAll(async () => {
    ;({ dir, cleanup, watch } = await startWatched({ 'slides/talk.md': deck('Burst', 'save start') }, ['html', 'pdf'], log, 1))
  })

  afterAll(() => stopWatched(watch, cleanup))

  it('100 saves in one second, 20 times: the HTML and the PDF hold the last one', async () => {
    for (let burst = 0; burst < 20; burst += 1) {
      const marker = `final-${String(burst).padStart(2, '0')}`
      const started = performance.now()
      // Writes at a steady 10 ms pace, as a script or a formatter saving in a loop. Every
      // content has the same length, so the last save differs from the one before only in bytes.
      for (let i = 0; i < 100; i += 1) {
        const wait = started + i * 10 - performance.now()
        if (wait > 0) await sleep(wait)
        await writeFile(file(), deck('Burst', i === 99 ? marker : `saved-${String(i).padStart(3, '0')}`))
      }
      const html = path.join(dir, 'dist/talk.html')
      await until(async () => (await readFile(html, 'utf8')).includes(marker), `burst ${burst}: the HTML of the last save`, 10_000)
      await watch.watcher.idle()
      expect(await pdfText(path.join(dir, 'dist/talk.pdf')), `burst ${burst}: the PDF`).toContain(marker)
    }
  })
})

describe('the warm page gives what a fresh build gives', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let watch: WatchSession
  const log = new EventLog()
  const seed = () => path.join(dir, 'slides', path.basename(SEED))

  beforeAll(async () => {
    ;({ dir, cleanup, watch } = await startWatched({}, ['html', 'pdf'], log, 1, (d) =>
      copyFile(SEED, path.join(d, 'slides/cni-deep-dive.md')),
    ))
  })

  afterAll(() => stopWatched(watch, cleanup))

  /** What `deck build` makes of the project now: a fresh builder, a fresh page. */
  const freshBuild = async (): Promise<{ result: DeckResult; pdf: Buffer }> => {
    const out = path.join(dir, 'fresh')
    const builder = new Builder(buildOptions(dir, { formats: ['pdf'], outDir: out }))
    try {
      await builder.init()
      await installLint(builder)
      const result = await builder.buildDeck(seed())
      expect(result.errors).toEqual([])
      return { result, pdf: await readFile(path.join(out, 'cni-deep-dive.pdf')) }
    } finally {
      await builder.close()
    }
  }

  /** After `change`, the watcher's PDF and findings are those of a fresh build. */
  const sameAsFresh = async (what: string, change: () => Promise<void>) => {
    const m = log.mark()
    await change()
    await until(() => log.browser.slice(m.browser).find((b) => b.deck === seed()), `${what}: the PDF`)
    await watch.watcher.idle()
    const last = log.browser.at(-1)!
    expect(last.result.errors).toEqual([])
    const watched = [...(log.html.at(-1)?.result.diagnostics ?? []), ...last.result.diagnostics]
    const fresh = await freshBuild()
    expect(findings(watched, dir), `${what}: findings`).toEqual(findings(fresh.result.diagnostics, dir))
    const pdf = path.join(dir, 'dist/cni-deep-dive.pdf')
    expect(await pdfText(pdf), `${what}: PDF text`).toBe(await pdfText(path.join(dir, 'fresh/cni-deep-dive.pdf')))
    expect((await readFile(pdf)).equals(fresh.pdf), `${what}: PDF bytes`).toBe(true)
  }

  it('after its theme file is replaced (temp file + rename)', async () => {
    const css = path.join(dir, 'css/palette-3.css')
    const original = await readFile(css, 'utf8')
    // An editor's temp file next to the theme, then one named like sed -i's, with no telling suffix.
    for (const [round, tmp] of [
      [1, `${css}.tmp`],
      [2, path.join(dir, 'css/sedX4f2a9')],
    ] as const) {
      await sameAsFresh(`theme round ${round}`, async () => {
        await writeFile(tmp, `${original}\nsection { outline-color: #01020${round}; }\n`)
        await rename(tmp, css)
      })
    }
  })

  it('after an edit inside a code block that Marp shrinks to fit', async () => {
    const source = await readFile(seed(), 'utf8')
    expect(source).toContain('"10.128.0.186/23"')
    await sameAsFresh('code edit', () => writeFile(seed(), source.replace('"10.128.0.186/23"', '"10.128.0.187/23"')))
  })
})

describe('a killed browser while watching', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let watch: WatchSession
  const log = new EventLog()
  const file = (name: string) => path.join(dir, 'slides', name)

  beforeAll(async () => {
    ;({ dir, cleanup, watch } = await startWatched(
      { 'slides/a.md': deck('A', 'first'), 'slides/b.md': deck('B', 'first') },
      ['html', 'pdf'],
      log,
      2,
    ))
  })

  afterAll(() => stopWatched(watch, cleanup))

  it('the next PDF of every deck succeeds the first time', async () => {
    for (const round of [1, 2]) {
      const manager = watch.builder.browser
      const browser = await manager.browser()
      const pid = manager.pidOf(browser)
      expect(pid).toBeTypeOf('number')
      // The whole process group, as the OOM killer or `kill -9` of the group would.
      process.kill(-pid!, 'SIGKILL')
      // Round 1 saves at once, before the watcher may have seen the browser go; round 2 after.
      if (round === 2) await until(() => !browser.connected, 'the browser to disconnect')
      const m = log.mark()
      await writeFile(file('a.md'), deck('A', `after crash ${round}`))
      await writeFile(file('b.md'), deck('B', `after crash ${round}`))
      for (const name of ['a.md', 'b.md']) {
        const first = await until(
          () => log.browser.slice(m.browser).find((b) => b.deck === file(name)),
          `round ${round}: the PDF of ${name}`,
        )
        expect(first.result.errors, `round ${round}: ${name}`).toEqual([])
      }
      await watch.watcher.idle()
      expect(log.errors.slice(m.errors)).toEqual([])
      for (const name of ['a', 'b']) expect(await pdfText(path.join(dir, `dist/${name}.pdf`))).toContain(`after crash ${round}`)
      expect(manager.pidOf(await manager.browser())).not.toBe(pid)
    }
  })
})

describe('rm -rf of the output folder while watching', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let watch: WatchSession
  const log = new EventLog()
  const outputs = ['a.html', 'a.pdf', 'a.pptx', 'sub/b.html', 'sub/b.pdf', 'sub/b.pptx']

  beforeAll(async () => {
    const files = { 'slides/a.md': deck('A', 'alpha'), 'slides/sub/b.md': deck('B', 'beta') }
    ;({ dir, cleanup, watch } = await startWatched(files, ['html', 'pdf', 'pptx'], log, 2))
  })

  afterAll(() => stopWatched(watch, cleanup))

  it('builds every missing output again without a save', async () => {
    const dist = path.join(dir, 'dist')
    for (const o of outputs) expect(existsSync(path.join(dist, o)), o).toBe(true)
    await rm(dist, { recursive: true, force: true })
    await until(() => outputs.every((o) => existsSync(path.join(dist, o))), 'every output back', 15_000)
    await watch.watcher.idle()
    expect(await pdfText(path.join(dist, 'a.pdf'))).toContain('alpha')
    expect(await pdfText(path.join(dist, 'sub/b.pdf'))).toContain('beta')
    expect(await readFile(path.join(dist, 'sub/b.html'), 'utf8')).toContain('beta')

    // One output alone, too.
    await rm(path.join(dist, 'a.pdf'))
    await until(() => existsSync(path.join(dist, 'a.pdf')), 'a.pdf back', 15_000)
    await watch.watcher.idle()
    expect(await pdfText(path.join(dist, 'a.pdf'))).toContain('alpha')
  })
})
