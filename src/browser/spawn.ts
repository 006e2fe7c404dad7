import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { needsNoSandbox } from './find.js'

/**
 * Starting the Chromium process ourselves instead of through `puppeteer.launch`, for two reasons
 * measured on the seed deck (2 cores):
 * - it can start before puppeteer-core, marp-core and shiki are imported (~250 ms of module
 *   loading that the launch now overlaps), because this module needs only node:child_process;
 * - `--no-startup-window` spares the blank tab that `launch` opens and we closed again: its
 *   renderer cost ~160 ms of CPU at every start.
 * The browser is then driven over its DevTools WebSocket with `puppeteer.connect`.
 */
export interface ChromiumProcess {
  readonly wsEndpoint: string
  readonly child: ChildProcess
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>
  /** Kill the process (if still running) and remove its profile folder. */
  dispose(): Promise<void>
}

/**
 * Our flags, each for a reason. Several match puppeteer's defaults; we list them ourselves
 * because we no longer launch through puppeteer.
 */
function chromiumArgs(profileDir: string): string[] {
  return [
    '--headless=new',
    '--remote-debugging-port=0',
    `--user-data-dir=${profileDir}`,
    // Every job opens its own window; the default blank tab would only hold a renderer.
    '--no-startup-window',
    // Headless Chromium otherwise phones home at start; the machine may have no network.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--disable-default-apps',
    '--disable-client-side-phishing-detection',
    '--disable-component-extensions-with-background-pages',
    '--disable-extensions',
    '--disable-breakpad',
    '--disable-crash-reporter',
    '--metrics-recording-only',
    '--no-first-run',
    '--no-default-browser-check',
    '--password-store=basic',
    '--use-mock-keychain',
    '--disable-features=Translate,MediaRouter,OptimizationHints,AcceptCHFrame',
    // The network service in the browser process, not a utility process of its own: pages load
    // only inlined data (and the preview's localhost), so it has little to do. Seed build: peak
    // PSS −15 to −20 MB (4 runs each), no change in time.
    '--enable-features=NetworkServiceInProcess2',
    // Several windows (two decks, warm pages in watch mode) must all keep painting and running
    // timers: a throttled background page would stall Marp's auto-scaling and our waits.
    '--disable-background-timer-throttling',
    '--disable-backgrounding-occluded-windows',
    '--disable-renderer-backgrounding',
    '--disable-ipc-flooding-protection',
    '--disable-hang-monitor',
    '--disable-popup-blocking',
    '--disable-prompt-on-repost',
    // Docker's 64 MB /dev/shm is too small for 2x screenshots of big decks.
    '--disable-dev-shm-usage',
    '--mute-audio',
    '--hide-scrollbars',
    // Same colours and glyph outlines on every machine, so PDFs and PNGs do not differ by host.
    '--force-color-profile=srgb',
    '--font-render-hinting=none',
    '--disable-gpu',
    // Frames on demand instead of at a 60 Hz pace: each screenshot waits for a fresh frame, and
    // unpaced the seed deck's 16 shots at 2x took ~150 ms less in the headless shell. An idle
    // page draws no frames either way (measured: no extra CPU while idle).
    '--disable-frame-rate-limit',
    '--disable-gpu-vsync',
    ...(needsNoSandbox() ? ['--no-sandbox', '--disable-setuid-sandbox'] : []),
  ]
}

const ENDPOINT = /^DevTools listening on (ws:\/\/\S+)/m

/** Kill the browser and everything it started (the process group where there is one). */
function kill(child: ChildProcess, group: boolean): void {
  try {
    if (group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    else child.kill('SIGKILL')
  } catch {
    // Already gone.
  }
}

/** Processes still running when Node exits are killed, so no Chromium outlives a crash of ours. */
const running = new Set<{ child: ChildProcess; profileDir: string; group: boolean }>()
let exitHookInstalled = false
function killAllOnExit(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const { child, profileDir, group } of running) {
      kill(child, group)
      rmSync(profileDir, { recursive: true, force: true })
    }
  })
}

export function spawnChromium(executablePath: string, timeoutMs: number): Promise<ChromiumProcess> {
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'deck-chromium-'))
  // Its own process group: Debian's /usr/bin/chromium* are shell scripts that run the real
  // binary as a child, so killing the script's pid alone would leave the browser running.
  const group = process.platform !== 'win32'
  const child = spawn(executablePath, chromiumArgs(profileDir), { stdio: ['ignore', 'ignore', 'pipe'], detached: group })
  const entry = { child, profileDir, group }
  running.add(entry)
  killAllOnExit()
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  let disposed: Promise<void> | undefined
  const dispose = (): Promise<void> =>
    (disposed ??= (async () => {
      // The group goes even when the script has exited: the browser may have outlived it.
      kill(child, group)
      await exited
      running.delete(entry)
      // Chromium's last writes may race the removal (ENOTEMPTY): rm retries those.
      await rm(profileDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 }).catch(() => undefined)
    })())

  return new Promise<ChromiumProcess>((resolve, reject) => {
    let stderr = ''
    const fail = (why: string) => {
      cleanup()
      const tail = stderr.trim().split('\n').slice(-5).join('\n')
      // Reported once nothing is left behind: no process, no profile folder.
      void dispose().then(() => reject(new Error(`${why}${tail ? `\n${tail}` : ''}`)))
    }
    const onData = (chunk: Buffer) => {
      stderr += chunk.toString()
      const m = ENDPOINT.exec(stderr)
      if (!m) return
      cleanup()
      // Keep reading so a chatty Chromium never blocks on a full pipe.
      child.stderr?.resume()
      resolve({ wsEndpoint: m[1]!, child, exited, dispose })
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`Chromium exited at start (${signal ?? `code ${code}`})`)
    const onError = (e: Error) => fail(e.message)
    const timer = setTimeout(() => fail(`Chromium did not start within ${timeoutMs} ms`), timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      child.stderr?.off('data', onData)
      child.off('exit', onExit)
      child.off('error', onError)
    }
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
    child.once('error', onError)
  })
}
