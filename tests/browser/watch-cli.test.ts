import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { ROOT, tempProject } from '../helpers/project.js'
import { until } from '../helpers/watch.js'

// The CLI as a user runs it (compiled lib/, as `npm test` builds first): Ctrl-C must stop the
// watcher, the server and the browser, and leave no Chromium process behind.
const CLI = path.join(ROOT, 'bin/deck.js')

/** Live (not zombie) processes below `root`, from ps. */
function descendants(root: number): Array<{ pid: number; comm: string }> {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .map(([pid, ppid, stat, ...comm]) => ({ pid: Number(pid), ppid: Number(ppid), stat: stat ?? '', comm: comm.join(' ') }))
  const out: Array<{ pid: number; comm: string }> = []
  const walk = (parent: number) => {
    for (const r of rows) {
      if (r.ppid === parent && !r.stat.startsWith('Z')) {
        out.push({ pid: r.pid, comm: r.comm })
        walk(r.pid)
      }
    }
  }
  walk(root)
  return out
}

const alive = (pid: number): boolean => {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim()
    return stat !== '' && !stat.startsWith('Z')
  } catch {
    return false
  }
}

describe('deck watch (CLI)', () => {
  let child: ChildProcess | undefined
  let cleanup: (() => Promise<void>) | undefined

  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL')
    await cleanup?.()
  })

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    'builds, serves, rebuilds, and stops on %s leaving no Chromium behind',
    async (signal) => {
      const p = await tempProject({ 'slides/talk.md': '---\nmarp: true\n---\n\n# Hello\n' })
      cleanup = p.cleanup
      let stderr = ''
      child = spawn(process.execPath, [CLI, 'watch', '--format', 'html,pdf', '--port', '0', '--no-open'], {
        cwd: p.dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, DEBUG: 'deck:*' },
      })
      child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()))
      const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)))
      // One CI run spent 30 s in this test, once, and passed. Not a timing assertion: a slow phase
      // prints what the watcher said (with its debug log), so the next one can be read.
      const phases: Array<[string, number]> = []
      let since = performance.now()
      const phase = (name: string) => {
        phases.push([name, Math.round(performance.now() - since)])
        since = performance.now()
      }
      onTestFinished(() => {
        if (phases.some(([, ms]) => ms > 10_000)) console.warn(`slow phase in the ${signal} test: ${JSON.stringify(phases)}\n${stderr}`)
      })

      await until(() => /talk\.md => dist\/talk\.pdf/.test(stderr), `the first PDF (stderr: ${stderr})`, 60_000)
      phase('first PDF')
      const url = /preview at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1]
      expect(url).toBeDefined()
      const index = await fetch(`${url}/`)
      expect(await index.text()).toContain('/talk.html')

      await writeFile(path.join(p.dir, 'slides/talk.md'), '---\nmarp: true\n---\n\n# Hello again\n')
      await until(() => (stderr.match(/talk\.md => dist\/talk\.html/g) ?? []).length >= 2, 'the rebuild line')
      phase('rebuild')
      expect(stderr).toMatch(/\[\d\d:\d\d:\d\d\] slides\/talk\.md => dist\/talk\.html \(\d+ ms\)/)

      const browsers = descendants(child.pid ?? 0).filter((d) => /chrom/i.test(d.comm))
      expect(browsers.length).toBeGreaterThan(0)
      child.kill(signal)
      expect(await exited).toBe(0)
      phase('exit')
      await until(() => browsers.every((b) => !alive(b.pid)), 'every Chromium process to exit')
      phase('Chromium gone')
      expect(browsers.filter((b) => alive(b.pid))).toEqual([])
      expect(existsSync(path.join(p.dir, 'dist/talk.pdf'))).toBe(true)
    },
  )
})
