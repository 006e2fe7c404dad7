import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import path from 'node:path'

/**
 * Runs one command the way a user would (a child process, wall clock from spawn to exit) and
 * measures the peak memory of its whole process tree, Chromium included.
 *
 * Why not `/usr/bin/time -v`: its "maximum resident set size" is getrusage(RUSAGE_CHILDREN),
 * the largest single waited-for descendant, and puppeteer starts Chromium detached, so the
 * browser (the bulk of the memory) is either not counted or counted as one process of many.
 * Instead every SAMPLE_MS we find the tree by parent pid in /proc and sum VmRSS over it. RSS
 * counts pages shared between processes (Chromium's code, the zygote's forked heap) once per
 * process, so the sum overstates; we also sum PSS (shared pages split between their users) at a
 * lower rate because smaps_rollup costs ~25x more to read. Both tools get the same method.
 */
export const SAMPLE_MS = 20
/**
 * A timed run looks at /proc only this often (for the other load, leftovers and which browser
 * ran). Sampling memory every 20 ms costs the bench ~20–30 % of a core, which it takes from
 * the tool it watches: on two cores that slowed our two-core build by ~10 %, and marp-cli, which
 * mostly keeps one core busy, far less. So memory is measured in runs of its own (`memory`).
 */
export const TIMED_SAMPLE_MS = 250
/** PSS is read every PSS_EVERY-th sample (100 ms); reading it each time would cost a few % CPU. */
const PSS_EVERY = 5

export interface MeasuredRun {
  wallMs: number
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Peak of the summed VmRSS of the tree, bytes. */
  peakRss: number
  /** Peak of the summed PSS of the tree, bytes (sampled every PSS_EVERY * SAMPLE_MS). */
  peakPss: number
  /** Most processes seen alive at once in the tree. */
  peakProcs: number
  /** Processes of the tree still alive after the command exited (we kill them). */
  leftovers: number
  timedOut: boolean
  /**
   * CPU time that processes outside this bench used while the command ran (all busy CPU on the
   * machine minus ours and our children's). Other work skews the figures; this says by how much.
   */
  otherCpuMs: number
  /** Browser executables the tree ran (e.g. /usr/lib/chromium/chromium), so a report can say which. */
  browsers: string[]
}

export interface RunOptions {
  cwd: string
  env?: NodeJS.ProcessEnv
  timeoutMs: number
  /** Sample RSS and PSS (every SAMPLE_MS); otherwise peakRss and peakPss are NaN. */
  memory: boolean
}

// --- cleanup: temp folders and process trees go away however the bench ends -----------------

const cleanups = new Set<() => unknown>()

/** Register a cleanup; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(fn: () => unknown): () => Promise<void> {
  let done = false
  const once = async () => {
    if (done) return
    done = true
    cleanups.delete(once)
    await fn()
  }
  cleanups.add(once)
  return once
}

export async function runCleanups(): Promise<void> {
  for (const fn of [...cleanups].reverse()) await Promise.resolve(fn()).catch(() => undefined)
}

// --- /proc --------------------------------------------------------------------------------

interface ProcStat {
  ppid: number
  /** Start time in clock ticks since boot: tells a live process from a recycled pid. */
  start: string
  zombie: boolean
  /** utime + stime, ticks. */
  cpu: number
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ')
    return { ppid: Number(rest[1]), start: rest[19] ?? '', zombie: rest[0] === 'Z', cpu: Number(rest[11]) + Number(rest[12]) }
  } catch {
    return undefined
  }
}

/** The pid and every live descendant, found through parent pids (one pass over /proc). */
function processTree(root: number): { tree: Map<number, ProcStat>; all: Map<number, ProcStat> } {
  const children = new Map<number, number[]>()
  const stats = new Map<number, ProcStat>()
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (!Number.isInteger(pid)) continue
    const st = readStat(pid)
    if (!st || st.zombie) continue
    stats.set(pid, st)
    const list = children.get(st.ppid)
    if (list) list.push(pid)
    else children.set(st.ppid, [pid])
  }
  const tree = new Map<number, ProcStat>()
  const todo = [root]
  while (todo.length) {
    const pid = todo.pop()!
    const st = stats.get(pid)
    if (!st || tree.has(pid)) continue
    tree.set(pid, st)
    todo.push(...(children.get(pid) ?? []))
  }
  return { tree, all: stats }
}

function kbField(file: string, field: string): number {
  try {
    const text = readFileSync(file, 'utf8')
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0 // the process exited between the scan and this read
  }
}

function killTree(pids: Iterable<[number, ProcStat]>): number {
  let killed = 0
  for (const [pid, st] of pids) {
    const now = readStat(pid)
    if (!now || now.zombie || now.start !== st.start) continue
    try {
      process.kill(pid, 'SIGKILL')
      killed += 1
    } catch {
      // Gone already.
    }
  }
  return killed
}

// --- other load on the machine -------------------------------------------------------------

/** Clock ticks per second of /proc/stat and /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const HZ = 100

/** Busy CPU of the whole machine, in ticks (idle, iowait and steal excluded). */
function machineBusyTicks(): number {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  return (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)
}

/** This process's own CPU in ticks (the bench's sampling, not its children). */
function ownTicks(): number {
  const s = readFileSync('/proc/self/stat', 'utf8')
  const f = s
    .slice(s.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number)
  // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name.
  return (f[11] ?? 0) + (f[12] ?? 0)
}

/**
 * Wait (up to maxMs) until other processes use less than `cores` of the CPU over a short window,
 * so a timed run does not start in the middle of someone else's test suite. Returns the time
 * waited; the caller reports it.
 */
export async function waitForQuiet(opts: { cores: number; windowMs: number; maxMs: number }): Promise<number> {
  const started = performance.now()
  for (;;) {
    const busy0 = machineBusyTicks()
    const own0 = ownTicks()
    await new Promise((r) => setTimeout(r, opts.windowMs))
    // Between runs none of our children is alive, so all busy CPU but our own is someone else's.
    const other = (machineBusyTicks() - busy0 - (ownTicks() - own0)) / HZ
    const waited = performance.now() - started
    if (other / (opts.windowMs / 1000) < opts.cores || waited >= opts.maxMs) return waited
  }
}

// --- the measured run ---------------------------------------------------------------------

export function runMeasured(command: string, args: string[], opts: RunOptions): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    // Every process ever seen in the tree, with its start time: puppeteer detaches Chromium, so
    // if a tool exits without closing it, it is reparented away and only this list still knows.
    const seen = new Map<number, ProcStat>()
    let peakRss = 0
    let peakPss = 0
    let peakProcs = 0
    const browsers = new Set<string>()
    const noteBrowser = (pid: number) => {
      try {
        const exe = readlinkSync(`/proc/${pid}/exe`)
        if (/chrom|msedge|headless_shell/i.test(path.basename(exe))) browsers.add(exe)
      } catch {
        // Gone already, or not ours to read.
      }
    }
    let ticks = 0
    // Other load: CPU of every process outside the tree (and not this one, nor kernel threads),
    // first and last value seen, keyed by pid and start time. Reading it directly is more
    // reliable than "machine busy minus ours": Chromium's renderers are reaped by init, so their
    // CPU never reaches our cutime. Processes that come and go between two samples are missed.
    const bootTicks = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * HZ
    const others = new Map<string, { first: number; last: number }>()
    const sample = () => {
      if (child.pid === undefined) return
      const { tree, all } = processTree(child.pid)
      for (const [pid, st] of tree) {
        if (!seen.has(pid)) noteBrowser(pid)
        seen.set(pid, st)
      }
      for (const [pid, st] of all) {
        if (tree.has(pid) || seen.has(pid) || pid === process.pid || pid === 2 || st.ppid === 2) continue
        const key = `${pid}:${st.start}`
        const o = others.get(key)
        if (o) o.last = st.cpu
        // A process born during the run gets all its CPU counted; an older one only the part since.
        else others.set(key, { first: Number(st.start) >= bootTicks ? 0 : st.cpu, last: st.cpu })
      }
      peakProcs = Math.max(peakProcs, tree.size)
      if (!opts.memory) return
      let rss = 0
      for (const pid of tree.keys()) rss += kbField(`/proc/${pid}/status`, 'VmRSS')
      peakRss = Math.max(peakRss, rss)
      if (ticks++ % PSS_EVERY === 0) {
        let pss = 0
        for (const pid of tree.keys()) pss += kbField(`/proc/${pid}/smaps_rollup`, 'Pss')
        peakPss = Math.max(peakPss, pss)
      }
    }
    const timer = setInterval(sample, opts.memory ? SAMPLE_MS : TIMED_SAMPLE_MS)
    let timedOut = false
    const deadline = setTimeout(() => {
      timedOut = true
      sample()
      killTree(seen)
    }, opts.timeoutMs)
    const unregister = onCleanup(() => {
      sample()
      killTree(seen)
    })

    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    let wallMs = 0
    child.once('exit', () => {
      wallMs = performance.now() - started
    })
    child.once('error', (e) => {
      clearInterval(timer)
      clearTimeout(deadline)
      void unregister()
      reject(e)
    })
    child.once('close', (code, signal) => {
      clearInterval(timer)
      clearTimeout(deadline)
      cleanups.delete(unregister)
      let otherTicks = 0
      for (const o of others.values()) otherTicks += o.last - o.first
      const leftovers = killTree([...seen].filter(([pid]) => pid !== child.pid))
      resolve({
        wallMs,
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        peakRss: opts.memory ? peakRss : NaN,
        peakPss: opts.memory ? peakPss : NaN,
        peakProcs,
        leftovers,
        timedOut,
        otherCpuMs: Math.max(0, (otherTicks * 1000) / HZ),
        browsers: [...browsers],
      })
    })
    sample()
  })
}
