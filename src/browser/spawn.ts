import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { Socket } from 'node:net'
import { rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { needsNoSandbox } from './find.js'

/*
 * Starting the Chromium process ourselves instead of through `puppeteer.launch`, for two reasons:
 * - it can start before puppeteer-core, marp-core and shiki are imported, so the launch overlaps
 *   their loading, because this module needs only node:child_process;
 * - `--no-startup-window` spares the blank tab that `launch` opens, and the CPU its renderer
 *   takes at every start.
 * The browser is then driven over its DevTools WebSocket with `puppeteer.connect`.
 */

export interface ChromiumProcess {
  readonly wsEndpoint: string
  readonly child: ChildProcess
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>
  /** Kill the process (if still running) and remove its profile folder. */
  dispose(): Promise<void>
  /** Resolves once dispose has removed everything. */
  readonly disposed: Promise<void>
}

/**
 * Our flags, each for a reason. Several match puppeteer's defaults; we list them ourselves
 * because we do not launch through puppeteer.
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
    // only inlined data (and the preview's localhost), so it has little to do, and one process
    // less lowers the build's peak memory.
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
    // Frames on demand instead of at a 60 Hz pace: each screenshot waits for a fresh frame, which
    // comes sooner unpaced. An idle page draws no frames either way.
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

/**
 * The watchdog's script: it waits on its stdin, a pipe whose only writer is our process. Its
 * first line is the browser's process group (the watchdog starts before the browser, so no
 * browser ever runs unwatched but for the instant between its start and that write). A line
 * reading `done` then means we cleaned up ourselves; end of file without it means we died, even
 * by SIGKILL (the kernel closes a dead process's pipes), and then it kills the browser's process
 * group and removes the profile folder. The removal waits a moment: a process that gets SIGKILL
 * may finish the system call it is in (a write into the profile) before it dies.
 */
const WATCHDOG = [
  'read -r group || { rm -rf -- "$1"; exit 0; }',
  'read -r line',
  '[ "$line" = done ] && exit 0',
  'kill -KILL "-$group" 2>/dev/null',
  'sleep 0.2',
  'rm -rf -- "$1"',
].join('\n')

/**
 * Chromium must not outlive us, and it runs in a process group of its own, so nothing that
 * ends ours ends it: a signal to our group (a CI runner's SIGKILL) or to our process alone. The
 * exit hook below covers every exit Node sees; for the others (SIGKILL, an OOM kill) a watchdog
 * does. We chose a watchdog over PR_SET_PDEATHSIG: Node cannot set that in the child before
 * exec, `setpriv --pdeathsig` would set it on Debian's /usr/bin/chromium* wrapper scripts,
 * which run the real browser as their child, not on the browser, and it fires on the death of
 * the forking thread, not the process; nor does it remove the profile folder. The watchdog is a
 * small /bin/sh, in a session of its own so that a kill of our group spares it.
 */
function startWatchdog(profileDir: string): ChildProcess | undefined {
  try {
    const dog = spawn('/bin/sh', ['-c', WATCHDOG, 'deck-watchdog', profileDir], { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
    dog.on('error', () => undefined)
    dog.stdin?.on('error', () => undefined)
    // Neither the watchdog nor its pipe keeps Node running.
    dog.unref()
    if (dog.stdin instanceof Socket) dog.stdin.unref()
    return dog
  } catch {
    return undefined
  }
}

/** Tell the watchdog we cleaned up; it exits without touching anything. */
function callOff(dog: ChildProcess | undefined): void {
  if (dog?.stdin && !dog.stdin.destroyed) dog.stdin.end('done\n')
}

/** Browsers started and not yet disposed of. */
const running = new Set<{ child: ChildProcess; profileDir: string; group: boolean; watchdog: ChildProcess | undefined }>()

/**
 * Kill every browser still running and remove its profile folder; synchronous, for an exit hook
 * (the CLI installs one; a process that dies without it is covered by each browser's watchdog).
 */
export function killBrowsers(): void {
  for (const { child, profileDir, group, watchdog } of running) {
    kill(child, group)
    rmSync(profileDir, { recursive: true, force: true })
    // Its pipe closes as we exit; it must not kill a group whose id may be reused by then.
    if (watchdog?.pid !== undefined) {
      try {
        process.kill(watchdog.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
  }
  running.clear()
}

export function spawnChromium(executablePath: string, timeoutMs: number): Promise<ChromiumProcess> {
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'deck-chromium-'))
  // Its own process group: Debian's /usr/bin/chromium* are shell scripts that run the real
  // binary as a child, so killing the script's pid alone would leave the browser running.
  const group = process.platform !== 'win32'
  const watchdog = group ? startWatchdog(profileDir) : undefined
  const child = spawn(executablePath, chromiumArgs(profileDir), { stdio: ['ignore', 'ignore', 'pipe'], detached: group })
  if (watchdog?.stdin && child.pid !== undefined) watchdog.stdin.write(`${child.pid}\n`)
  const entry = { child, profileDir, group, watchdog }
  running.add(entry)
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  let disposing: Promise<void> | undefined
  let removed = (): void => {}
  const disposed = new Promise<void>((resolve) => (removed = resolve))
  const dispose = (): Promise<void> =>
    (disposing ??= (async () => {
      // The group goes even when the script has exited: the browser may have outlived it.
      kill(child, group)
      await exited
      // Chromium's last writes may race the removal (ENOTEMPTY): rm retries those.
      await rm(profileDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 }).catch(() => undefined)
      // Only now: an exit before the removal is done leaves it to the exit hook.
      running.delete(entry)
      callOff(watchdog)
      removed()
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
      resolve({ wsEndpoint: m[1]!, child, exited, dispose, disposed })
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
