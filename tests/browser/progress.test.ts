import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERASE_LINE } from '../../src/cli/progress.js'
import { ROOT, tempProject } from '../helpers/project.js'

// Progress of a real build through the CLI: plain lines in a log (stderr is a pipe), none with
// --quiet, and the live line on a pseudo-terminal (util-linux `script`). The plain lines' 5 s
// interval is 40 ms here through DECK_PROGRESS_INTERVAL_MS, which only the tests set, so a
// build of seconds prints several. Each build writes to a folder of its own, so that none is up
// to date (the build cache).

const run = promisify(execFile)
const CLI = path.join(ROOT, 'bin/deck.js')
const SLIDES = Array.from({ length: 6 }, (_, i) => `# Slide ${i + 1}\n\nSome text on slide ${i + 1}.\n`).join('\n---\n\n')

let project: Awaited<ReturnType<typeof tempProject>>
beforeAll(async () => {
  project = await tempProject({ 'slides/talk.md': SLIDES, 'package.json': '{}\n' })
})
afterAll(() => project.cleanup())

const env = { ...process.env, DECK_PROGRESS_INTERVAL_MS: '40', GITHUB_ACTIONS: '', CI: 'true' }

describe('progress of a build', () => {
  it('in a log: plain lines naming the deck, its number and its stage; none of the live line', async () => {
    const { stderr } = await run('node', [CLI, 'build', '-f', 'pdf,pptx', '-o', 'out-log'], { cwd: project.dir, env })
    const lines = stderr.split('\n').filter((l) => l.startsWith('building '))
    expect(lines.length).toBeGreaterThan(2)
    for (const line of lines) expect(line).toMatch(/^building slides\/talk\.md \(deck 1\/1\): [a-zA-Z ]+(, slide \d\/6)?, \d+ s$/)
    // The stages in their order, each seen once the build reached it.
    const stages = [...new Set(lines.map((l) => /: ([a-zA-Z ]+)[,]/.exec(l)![1]))]
    const order = ['starting', 'rendering', 'loading in Chromium', 'printing PDF', 'checking slides', 'taking screenshots', 'packing PPTX']
    expect(stages.map((s) => order.indexOf(s!))).toEqual([...stages.map((s) => order.indexOf(s!))].sort((a, b) => a - b))
    expect(stderr).not.toContain('\r')
    expect(stderr).not.toContain('\x1b[')
    expect(stderr).toMatch(/1 deck built: 2 outputs/)
  })

  it('--quiet prints no progress', async () => {
    const { stderr } = await run('node', [CLI, 'build', '-f', 'pdf', '--quiet', '-o', 'out-quiet'], { cwd: project.dir, env })
    expect(stderr).toBe('')
    expect(existsSync(path.join(project.dir, 'out-quiet/talk.pdf'))).toBe(true)
  })

  it('on a terminal: the live line, redrawn in place and erased before each other line', async () => {
    expect(existsSync('/usr/bin/script')).toBe(true)
    // `script` gives the build a pseudo-terminal and copies what it shows to stdout.
    const { stdout } = await run('script', ['-qec', `node ${CLI} build -f pdf -o out-tty`, '/dev/null'], {
      cwd: project.dir,
      env: { ...env, TERM: 'xterm', COLUMNS: '120' },
    })
    expect(stdout).toContain(`${ERASE_LINE}[1/1] slides/talk.md: `)
    const redraws = stdout.split(ERASE_LINE).length - 1
    expect(redraws).toBeGreaterThan(2)
    // Every other line starts on an erased line, and no plain progress line is printed.
    expect(stdout).toMatch(new RegExp(`${ERASE_LINE.replace(/[[\]\\]/g, '\\$&')}slides/talk\\.md => out-tty/talk\\.pdf`))
    expect(stdout).not.toContain('building slides/talk.md')
    expect(stdout).toMatch(/1 deck built: 1 output/)
  })
})
