import { spawn, type ChildProcess } from 'node:child_process'
import { watch as fsWatch, type FSWatcher } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { findBrowser, needsNoSandbox } from '../../src/browser/find.js'
import { UPDATED_EVENT } from '../../src/preview/client.js'
import { createBenchProject, repoRoot } from './decks.js'
import { onCleanup } from './measure.js'
import { median, table, type BenchOptions } from './options.js'

/**
 * Watch mode, ours against marp-cli 4.5.1 `-w`, both run as a user runs them (a child process
 * from its own install, in a throw-away project). For each edit the bench writes the deck and
 * times, from just before the write, until the output file holds the edit:
 *   - save → HTML written (ours `deck watch --format html`, marp `-w`), seed and large deck;
 *   - save → preview updated (ours: a headless page on our preview server; its `load` event after
 *     a reload, or the client's `deck:updated` event after an in-place update);
 *   - save → PDF rewritten (ours `--format html,pdf`, marp `-w --pdf`), seed deck.
 * Edits are spaced so one never lands in the previous one's build; the tools run one at a time.
 */
const EDITS = 20
const SETTLE_MS = 400
const TIMEOUT_MS = 60_000

const finite = (xs: number[]): number[] => xs.filter((x) => Number.isFinite(x))
const med = (xs: number[]): number => median(finite(xs))
const p95 = (xs: number[]): number => {
  const s = finite(xs).sort((a, b) => a - b)
  return s[Math.max(0, Math.ceil(0.95 * s.length) - 1)] ?? NaN
}
const ms = (x: number): string => (Number.isFinite(x) ? `${Math.round(x)} ms` : '—')

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  delete e['DEBUG']
  try {
    e['CHROME_PATH'] = findBrowser()
  } catch {
    // marp-cli looks for a browser itself; PDF rows then fail with its own message.
  }
  return e
}

/** A watching tool as a child process; resolves `ready` once its first output is written. */
class Tool {
  readonly child: ChildProcess
  stderr = ''
  private readonly exited: Promise<void>

  constructor(command: string, args: string[], cwd: string) {
    this.child = spawn(command, args, { cwd, env: env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    this.child.stdout?.on('data', (c: Buffer) => (this.stderr += c.toString()))
    this.child.stderr?.on('data', (c: Buffer) => (this.stderr += c.toString()))
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()))
    onCleanup(() => this.stop())
  }

  async waitFor(re: RegExp, what: string): Promise<RegExpExecArray> {
    const deadline = Date.now() + TIMEOUT_MS
    for (;;) {
      const m = re.exec(this.stderr)
      if (m) return m
      if (this.child.exitCode !== null) throw new Error(`${what}: the tool exited (${this.stderr.trim().slice(-400)})`)
      if (Date.now() > deadline) throw new Error(`${what}: timed out (${this.stderr.trim().slice(-400)})`)
      await sleep(20)
    }
  }

  /** Ctrl-C, as a user stops it; the whole process group is killed if it does not go. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.pid === undefined) return
    process.kill(-this.child.pid, 'SIGINT')
    const gone = await Promise.race([this.exited.then(() => true), sleep(10_000).then(() => false)])
    if (!gone) process.kill(-this.child.pid, 'SIGKILL')
    await this.exited
  }
}

/**
 * Resolves with the time at which `file` next holds a complete output that passes `done`, or
 * NaN if none comes within TIMEOUT_MS (a missed edit is reported, not fatal).
 */
function nextWrite(file: string, done: (data: Buffer) => boolean): { at: Promise<number>; close: () => void } {
  let finish: (t: number) => void = () => undefined
  const at = new Promise<number>((resolve) => (finish = resolve))
  let finished = false
  const end = (t: number) => {
    if (finished) return
    finished = true
    clearTimeout(timer)
    watcher.close()
    finish(t)
  }
  const timer = setTimeout(() => end(NaN), TIMEOUT_MS)
  const watcher: FSWatcher = fsWatch(path.dirname(file), (_event, name) => {
    if (name !== path.basename(file)) return
    const when = performance.now()
    void readFile(file).then(
      (data) => done(data) && end(when),
      () => undefined,
    )
  })
  return { at, close: () => end(NaN) }
}

const htmlHas = (marker: string) => (d: Buffer) => d.includes(marker) && d.includes('</html>')
const isCompletePdf = (d: Buffer) => d.length > 100 && d.subarray(-32).includes('%%EOF')

async function edit(deck: string, original: string, n: number): Promise<{ t0: number; marker: string }> {
  const marker = `bench-edit-${n}-${Date.now()}`
  const t0 = performance.now()
  await writeFile(deck, `${original}\n\nEdited: ${marker}\n`)
  return { t0, marker }
}

/**
 * One unmeasured edit, repeated until the tool writes: marp-cli prints "Start watching" before
 * its chokidar has finished the initial scan, so an edit made right then can be missed.
 */
async function warmUp(deck: string, original: string, out: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const next = nextWrite(out, (d) => d.length > 0)
    await writeFile(deck, `${original}\n\nWarm-up ${attempt}\n`)
    const wrote = await Promise.race([
      next.at.then(
        () => true,
        () => false,
      ),
      sleep(3000).then(() => false),
    ])
    next.close()
    if (wrote) {
      await sleep(SETTLE_MS * 2)
      return
    }
  }
  throw new Error(`${path.basename(out)} was never rewritten after an edit`)
}

interface Series {
  html: number[]
  reload: number[]
  pdf: number[]
}

/** Save → output over `edits` edits of one deck for a running tool. */
async function measure(deck: string, htmlOut: string, pdfOut: string | undefined, edits: number, page: Page | undefined): Promise<Series> {
  const original = await readFile(deck, 'utf8')
  const out: Series = { html: [], reload: [], pdf: [] }
  await warmUp(deck, original, pdfOut ?? htmlOut)
  try {
    for (let i = 0; i < edits; i += 1) {
      const marker = `bench-edit-${i}-${Date.now()}`
      const html = nextWrite(htmlOut, htmlHas(marker))
      const pdf = pdfOut ? nextWrite(pdfOut, isCompletePdf) : undefined
      const wallBefore = Date.now()
      const t0 = performance.now()
      await writeFile(deck, `${original}\n\nEdited: ${marker}\n`)
      try {
        out.html.push((await html.at) - t0)
        if (pdf) out.pdf.push((await pdf.at) - t0)
        if (page && Number.isFinite(out.html.at(-1) ?? NaN)) {
          await page.waitForFunction(
            (since) => ((window as unknown as { loadedAt?: number }).loadedAt ?? 0) > since,
            { timeout: TIMEOUT_MS },
            wallBefore,
          )
          const loadedAt = await page.evaluate(() => (window as unknown as { loadedAt: number }).loadedAt)
          out.reload.push(loadedAt - wallBefore)
        }
      } finally {
        html.close()
        pdf?.close()
      }
      // Let the tool go idle before the next save: no edit may land in the previous build.
      await sleep(Math.max(SETTLE_MS, 2 * Math.max(out.html.at(-1) ?? 0, out.pdf.at(-1) ?? 0)))
    }
  } finally {
    await writeFile(deck, original)
  }
  return out
}

async function ours(dir: string, deck: string, formats: string, edits: number, browser: Browser | undefined): Promise<Series> {
  const outDir = path.join(dir, 'out', `ours-${formats.replace(',', '-')}`)
  const base = path.join(outDir, path.basename(deck, '.md'))
  const tool = new Tool(
    process.execPath,
    [path.join(repoRoot(), 'bin/deck.js'), 'watch', path.basename(deck), '--format', formats, '--out', outDir, '--port', '0', '--no-open'],
    dir,
  )
  try {
    const url = (await tool.waitFor(/preview at (http:\/\/[\d.:]+)/, 'deck watch'))[1]!
    await tool.waitFor(formats.includes('pdf') ? /\.pdf \(/ : /\.html \(/, 'deck watch first build')
    let page: Page | undefined
    if (browser) {
      page = await browser.newPage()
      await page.evaluateOnNewDocument((updated: string) => {
        const mark = () => ((window as unknown as { loadedAt: number }).loadedAt = Date.now())
        addEventListener('load', mark)
        addEventListener(updated, mark)
      }, UPDATED_EVENT)
      await page.goto(`${url}/${path.basename(base)}.html#5`, { waitUntil: 'load' })
      await page.waitForFunction(() => document.documentElement.dataset['deckPreview'] === 'connected')
    }
    await sleep(SETTLE_MS)
    const series = await measure(deck, `${base}.html`, formats.includes('pdf') ? `${base}.pdf` : undefined, edits, page)
    if (page) {
      const hash = await page.evaluate(() => location.hash)
      if (hash !== '#5') throw new Error(`the preview came back on ${hash}, not #5`)
      await page.close()
    }
    return series
  } finally {
    await tool.stop()
  }
}

async function marp(dir: string, deck: string, pdf: boolean, edits: number): Promise<Series> {
  const outDir = path.join(dir, 'out', pdf ? 'marp-pdf' : 'marp')
  await mkdir(outDir, { recursive: true })
  const out = path.join(outDir, `${path.basename(deck, '.md')}.${pdf ? 'pdf' : 'html'}`)
  const bin = path.join(repoRoot(), 'node_modules', '.bin', 'marp')
  const tool = new Tool(
    bin,
    [path.basename(deck), '-w', '--theme-set', 'css/', '--allow-local-files', ...(pdf ? ['--pdf'] : []), '-o', out],
    dir,
  )
  try {
    await tool.waitFor(/Start watching/, 'marp -w')
    await sleep(SETTLE_MS)
    if (!pdf) return await measure(deck, out, undefined, edits, undefined)
    // marp -w --pdf writes only the PDF: there is no HTML to wait for.
    return { html: [], reload: [], pdf: await pdfOnly(deck, out, edits) }
  } finally {
    await tool.stop()
  }
}

/** PDF-only timing (marp -w --pdf writes no HTML to wait for). */
async function pdfOnly(deck: string, out: string, edits: number): Promise<number[]> {
  const original = await readFile(deck, 'utf8')
  const times: number[] = []
  await warmUp(deck, original, out)
  try {
    for (let i = 0; i < edits; i += 1) {
      const pdf = nextWrite(out, isCompletePdf)
      const { t0 } = await edit(deck, original, i)
      try {
        times.push((await pdf.at) - t0)
      } finally {
        pdf.close()
      }
      await sleep(Math.max(SETTLE_MS, 2 * (times.at(-1) ?? 0)))
    }
  } finally {
    await writeFile(deck, original)
  }
  return times
}

export async function runWatchBench(options: Partial<BenchOptions> = {}): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const quick = options.quick ?? false
  const edits = options.runs ?? (quick ? 3 : EDITS)
  const project = await createBenchProject({ slides: options.slides ?? (quick ? 40 : 200) })
  const browser = await puppeteer.launch({
    executablePath: findBrowser(),
    headless: true,
    args: needsNoSandbox() ? ['--no-sandbox', '--disable-setuid-sandbox'] : [],
    handleSIGINT: false,
  })
  const closeBrowser = onCleanup(() => browser.close())
  try {
    const decks = [
      { name: 'seed', file: project.seed },
      { name: `generated ${project.slides} slides`, file: project.large },
    ]
    const rows: string[][] = []
    const all: { ours: Series[]; marp: Series[] } = { ours: [], marp: [] }
    for (const d of decks) {
      log(`watch: ${d.name}: ours (html + preview)`)
      const o = await ours(project.dir, d.file, 'html', edits, browser)
      log(`watch: ${d.name}: marp -w`)
      const m = await marp(project.dir, d.file, false, edits)
      all.ours.push(o)
      all.marp.push(m)
      rows.push([`${d.name}: save → HTML written`, ms(med(o.html)), ms(p95(o.html)), ms(med(m.html)), ms(p95(m.html))])
      rows.push([`${d.name}: save → preview updated`, ms(med(o.reload)), ms(p95(o.reload)), '—', '—'])
    }
    log('watch: seed: ours --format html,pdf')
    const op = await ours(project.dir, project.seed, 'html,pdf', edits, undefined)
    log('watch: seed: marp -w --pdf')
    const mp = await marp(project.dir, project.seed, true, edits)
    all.ours.push(op)
    all.marp.push(mp)
    rows.push(['seed: save → HTML written, with PDF on', ms(med(op.html)), ms(p95(op.html)), '—', '—'])
    rows.push(['seed: save → PDF rewritten', ms(med(op.pdf)), ms(p95(op.pdf)), ms(med(mp.pdf)), ms(p95(mp.pdf))])
    const ratio = med(op.pdf) / med(mp.pdf)
    const missed = (xs: Series[]) => xs.reduce((n, x) => n + x.html.length + x.pdf.length - finite(x.html).length - finite(x.pdf).length, 0)
    return [
      '### Watch: save → output, ours vs marp-cli 4.5.1 `-w`',
      '',
      `${edits} edits per row, each a write of the whole deck; times from just before the write to the output file holding the edit (fs events on the output folder, file read back). The preview row is a headless page on our server on slide 5: from the write to the page showing the edit (the client's \`deck:updated\` event after an in-place update, or \`load\` after a reload), and it was still on slide 5.`,
      '',
      table(['', 'ours median', 'ours p95', 'marp -w median', 'marp -w p95'], rows, ['l', 'r', 'r', 'r', 'r']),
      '',
      `PDF on save: ours is ${Number.isFinite(ratio) ? ratio.toFixed(2) : '—'} × marp-cli's median. Edits with no new output within ${TIMEOUT_MS / 1000} s (left out of the figures): ours ${missed(all.ours)}, marp-cli ${missed(all.marp)}.`,
    ].join('\n')
  } finally {
    await closeBrowser()
    await project.dispose()
  }
}
