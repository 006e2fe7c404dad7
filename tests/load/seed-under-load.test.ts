import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cp, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { load } from 'cheerio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, SEED, tempProject } from '../helpers/project.js'

// Issue #9, part 3: the seed gives the same bytes with every core busy. The busy loops would slow
// any test running beside this one, so it runs alone, after the rest (vitest.load.config.ts).

const run = promisify(execFile)
const CLI = path.join(ROOT, 'bin/deck.js')

const sha256 = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex')

describe('the seed deck under load', () => {
  let dir: string
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    ;({ dir, cleanup } = await tempProject())
    await cp(SEED, path.join(dir, 'slides/cni-deep-dive.md'))
  })
  afterAll(() => cleanup?.())

  /** `deck build` of the seed into `out`: the sha256 of its HTML, PDF and PPTX, and the HTML. */
  async function build(out: string): Promise<{ sums: Record<string, string>; html: string }> {
    await run(process.execPath, [CLI, 'build', 'slides/cni-deep-dive.md', '--format', 'html,pdf,pptx', '--out', out, '--quiet'], {
      cwd: dir,
      env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000', DEBUG: '' },
    })
    const sums: Record<string, string> = {}
    for (const ext of ['html', 'pdf', 'pptx']) sums[ext] = await sha256(path.join(dir, out, `cni-deep-dive.${ext}`))
    return { sums, html: await readFile(path.join(dir, out, 'cni-deep-dive.html'), 'utf8') }
  }

  /** The first line of the seed's first bash block, as its token spans. */
  const firstBashLine = (html: string): string[] => {
    const $ = load(html)
    return $('pre code.language-bash')
      .first()
      .find('span.line')
      .first()
      .children('span')
      .toArray()
      .map((s) => $(s).text())
  }

  it('gives the same HTML, PDF and PPTX bytes quiet, with every core busy, and quiet again', async () => {
    const quiet = await build('quiet')
    expect(firstBashLine(quiet.html)).toEqual(['cat', ' foo.sh'])

    // Busy loops at the build's own priority, several per core, so the build's threads get a
    // small share of the CPU (on two cores this slowed the build about ten times).
    const count = Math.min(8 * os.availableParallelism(), 64)
    const busy: ChildProcess[] = []
    let loaded: Awaited<ReturnType<typeof build>>
    try {
      for (let i = 0; i < count; i += 1) busy.push(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }))
      loaded = await build('busy')
    } finally {
      for (const child of busy) if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
      await Promise.all(
        busy.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : undefined)),
      )
    }
    expect(firstBashLine(loaded.html)).toEqual(['cat', ' foo.sh'])
    expect(loaded.sums).toEqual(quiet.sums)

    const again = await build('again')
    expect(again.sums).toEqual(quiet.sums)
  }, 300_000)
})
