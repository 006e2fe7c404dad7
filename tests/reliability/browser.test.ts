import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ProtocolError, TimeoutError } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import { failureKind, PER_SLIDE_MS, stepTimeout } from '../../src/browser/step.js'
import { generateDeck } from '../../scripts/bench/decks.js'
import { readPdf } from '../helpers/outputs.js'
import { alive, commandLine, descendants } from '../helpers/processes.js'
import { buildOptions, ROOT, SEED, tempProject } from '../helpers/project.js'

// Browser faults (issue #9, part 6) and big decks (part 8): Chromium never outlives the build,
// a stuck Chromium fails the deck within --browser-timeout naming the stage, a crashed one is
// replaced on the next build, nothing is left in TMPDIR, and whole-deck operations get more
// time the bigger the deck. The CLI tests run bin/deck.js, which loads lib/: compile first.

const CLI = path.join(ROOT, 'bin/deck.js')
/** Puppeteer's own words, which must never reach the user. */
const RAW = /Target closed|protocolTimeout|Timed out after|TimeoutError|ProtocolError|TargetCloseError|detached Frame|node_modules/

const until = async <T>(what: string, probe: () => T | undefined | false, ms = 30_000): Promise<T> => {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(25)) {
    const value = probe()
    if (value) return value
  }
  throw new Error(`timed out waiting for ${what}`)
}

/**
 * The processes of `pids` still running a few seconds on (expected: none). A SIGKILLed Chromium,
 * a stopped one too, takes a moment to tear down its threads and memory on two busy cores: CI
 * once saw the browser still running at the instant the build that killed it exited.
 */
const survivors = async (pids: number[]): Promise<number[]> => {
  await until('Chromium to die', () => pids.every((p) => !alive(p)), 5000).catch(() => undefined)
  return pids.filter(alive)
}

/** `deck build` in its own process group and its own TMPDIR, so that its leftovers are its own. */
function deckBuild(
  cwd: string,
  tmp: string,
  args: string[],
): { child: ChildProcess; exited: Promise<{ code: number | null; stderr: string; at: number }> } {
  const child = spawn('node', [CLI, 'build', ...args], {
    cwd,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, TMPDIR: tmp },
  })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<{ code: number | null; stderr: string; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr, at: Date.now() })),
  )
  return { child, exited }
}

/** The Chromium processes under `pid` (the wrapper script and the browser's own children) and its profile. */
function chromiumOf(pid: number): { pids: number[]; group: number; profile: string } | undefined {
  const pids = descendants(pid).filter((p) => commandLine(p).includes('--user-data-dir='))
  if (!pids.length) return undefined
  const profile = /--user-data-dir=(\S+)/.exec(commandLine(pids[0]!))![1]!
  return { pids: [...new Set([...pids, ...descendants(pids[0]!)])], group: pids[0]!, profile }
}

const leftovers = (tmp: string): string[] => readdirSync(tmp).filter((d) => /^deck-(chromium|pictures)-/.test(d))

describe('browser faults', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let tmp: string

  beforeAll(async () => {
    const p = await tempProject({ 'slides/x.md': await readFile(SEED, 'utf8') })
    dir = p.dir
    cleanup = p.cleanup
  })
  afterAll(async () => {
    await cleanup?.()
  })

  const freshTmp = async () => (tmp = await mkdtemp(path.join(os.tmpdir(), 'deck-reliability-')))
  const dropTmp = () => rm(tmp, { recursive: true, force: true })

  it("SIGKILL of the build's process group takes Chromium and its profile folder with it", async () => {
    await freshTmp()
    const { child, exited } = deckBuild(dir, tmp, ['slides/x.md', '--format', 'pdf,pptx', '--out', 'out-kill'])
    try {
      const chromium = await until('Chromium to start', () => chromiumOf(child.pid!))
      expect(existsSync(chromium.profile)).toBe(true)
      process.kill(-child.pid!, 'SIGKILL')
      expect((await exited).code).toBe(null)
      // Within a few seconds: no process of that Chromium runs, and its profile folder is gone.
      expect(await survivors(chromium.pids)).toEqual([])
      await until('the profile folder to go', () => !existsSync(chromium.profile), 5000).catch(() => undefined)
      expect(existsSync(chromium.profile)).toBe(false)
      expect(leftovers(tmp)).toEqual([])
    } finally {
      // Never leave a Chromium behind, whatever failed above.
      for (const p of chromiumOf(child.pid!)?.pids ?? []) process.kill(p, 'SIGKILL')
      await dropTmp()
    }
  })

  it('a stopped Chromium fails the deck within about --browser-timeout, naming the stage and the deck', async () => {
    await freshTmp()
    const { child, exited } = deckBuild(dir, tmp, [
      'slides/x.md',
      '--format',
      'html,pdf,pptx',
      '--out',
      'out-stop',
      '--browser-timeout',
      '5',
    ])
    let group = 0
    try {
      const chromium = await until('Chromium to start', () => chromiumOf(child.pid!))
      group = chromium.group
      // The HTML is written once the print page has loaded: Chromium is mid-build from then on.
      await until('the print page to load', () => existsSync(path.join(dir, 'out-stop/x.html')))
      process.kill(-group, 'SIGSTOP')
      const stopped = Date.now()
      // The deadline of the slowest step (5 s + 50 ms for each of the 16 slides), a 2 s ping, and
      // room for closing on two busy cores.
      const bound = stepTimeout(5000, 16) + 2000 + 8000
      const result = await Promise.race([exited, sleep(bound + 10_000).then(() => undefined)])
      expect(result, 'the build to exit').toBeDefined()
      const { code, stderr, at } = result!
      expect(at - stopped).toBeLessThan(bound)
      expect(code).toBe(1)
      expect(stderr).toMatch(
        /^slides\/x\.md: error: (loading the deck|updating the deck in its page|printing the PDF|checking the slides|reading the slides for the PPTX|taking (the slide pictures|the picture of slide \d+|the element pictures|a picture on slide \d+|the thumbnail)|opening a page) did not finish/m,
      )
      expect(stderr).toMatch(/--browser-timeout/)
      expect(stderr).not.toMatch(RAW)
      expect(await survivors(chromium.pids)).toEqual([])
      expect(leftovers(tmp)).toEqual([])
    } finally {
      if (group) {
        try {
          process.kill(-group, 'SIGKILL')
        } catch {
          // Gone, as it should be.
        }
      }
      child.kill('SIGKILL')
      await dropTmp()
    }
  })

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s mid-PPTX (picture deck) leaves no picture folder and no profile folder', async (signal, code) => {
    await freshTmp()
    // The picture deck keeps its slide pictures in a folder while it shoots (the editable one holds none).
    const { child, exited } = deckBuild(dir, tmp, ['slides/x.md', '--format', 'pptx', '--pptx-mode', 'picture', '--out', 'out-int'])
    try {
      // The picture folder exists and holds a first picture: the PPTX is being shot.
      await until('the first slide picture', () =>
        readdirSync(tmp).some((d) => d.startsWith('deck-pictures-') && readdirSync(path.join(tmp, d)).length > 0),
      )
      child.kill(signal)
      expect((await exited).code).toBe(code)
      expect(leftovers(tmp)).toEqual([])
    } finally {
      child.kill('SIGKILL')
      await dropTmp()
    }
  })

  it.each([
    ['a one-shot build', false],
    ['watch mode (warm pages)', true],
  ])('after a crash, the next build in the same Builder (%s) relaunches Chromium and succeeds the first time', async (_name, keepPages) => {
    const builder = new Builder(buildOptions(dir, { formats: ['pdf'] }))
    builder.keepPages = keepPages
    await builder.init()
    try {
      const first = await builder.buildDeck(path.join(dir, 'slides/x.md'))
      expect(first.errors).toEqual([])
      const browser = await builder.browser.browser()
      const pid = builder.browser.pidOf(browser)!
      const profile = /--user-data-dir=(\S+)/.exec(commandLine(pid))![1]!
      const pids = [pid, ...descendants(pid)]
      await rm(path.join(dir, 'dist/x.pdf'))
      // The whole group, as the OOM killer would take it; the next build (of the same render, as
      // watch mode exports it) starts at once, before the manager may have heard of the crash.
      process.kill(-pid, 'SIGKILL')
      const again = await builder.exportDeck(first.deck!, ['pdf'])
      expect(again.errors).toEqual([])
      expect((await readPdf(path.join(dir, 'dist/x.pdf'))).pages).toBe(16)
      expect(builder.browser.pidOf(await builder.browser.browser())).not.toBe(pid)
      // The crashed browser's processes and profile folder are gone.
      expect(await survivors(pids)).toEqual([])
      await until('its profile folder to go', () => !existsSync(profile), 5000)
    } finally {
      await builder.close()
    }
  })
})

describe('big decks', () => {
  it('gives operations on many slides at once more time, per slide', () => {
    expect(stepTimeout(30_000)).toBe(30_000)
    expect(stepTimeout(30_000, 16)).toBe(30_000 + 16 * PER_SLIDE_MS)
    // A 3,000-slide deck's load, print and checks each get three minutes by default.
    expect(stepTimeout(30_000, 3000)).toBe(180_000)
  })

  it("tells puppeteer's timeouts and closed targets apart (upstream error shapes, puppeteer-core 24)", () => {
    expect(failureKind(new TimeoutError('Timed out after waiting 30000ms'))).toBe('timeout')
    const protocol = new ProtocolError(
      "Page.printToPDF timed out. Increase the 'protocolTimeout' setting in launch/connect calls for a higher timeout if needed.",
    )
    expect(failureKind(protocol)).toBe('timeout')
    expect(failureKind(new ProtocolError('Protocol error (Target.createTarget): Target closed'))).toBe('gone')
    expect(failureKind(new Error("Attempted to use detached Frame 'ABC'."))).toBe('gone')
    expect(failureKind(new Error('Evaluation failed: ReferenceError: x is not defined'))).toBe('other')
  })

  it('builds a 500-slide deck whose load and print each take longer than --browser-timeout', async () => {
    const { dir, cleanup } = await tempProject({ 'slides/big.md': generateDeck(500) })
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'deck-reliability-'))
    try {
      // 3 s for one operation; the load, the print and the checks of 500 slides, which each
      // take longer than that, get 25 s more.
      const { exited } = deckBuild(dir, tmp, ['slides/big.md', '--format', 'pdf', '--browser-timeout', '3'])
      const { code, stderr } = await exited
      expect(stderr).not.toMatch(RAW)
      expect(code, stderr).toBe(0)
      expect((await readPdf(path.join(dir, 'dist/big.pdf'))).pages).toBe(500)
      expect(leftovers(tmp)).toEqual([])
    } finally {
      await rm(tmp, { recursive: true, force: true })
      await cleanup()
    }
  })
})
