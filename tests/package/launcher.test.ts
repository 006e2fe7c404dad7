import { spawnSync } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/project.js'

// bin/deck.js without lib/: a package user is told the install is broken and how to reinstall;
// a checkout of this repository is told to compile.

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function launcherWithoutLib(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deck-launcher-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  await mkdir(path.join(dir, 'bin'))
  await copyFile(path.join(ROOT, 'bin/deck.js'), path.join(dir, 'bin/deck.js'))
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'marp-deck-pipeline', type: 'module' }))
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true })
    await writeFile(path.join(dir, name), content)
  }
  return dir
}

const run = (dir: string) => spawnSync(process.execPath, [path.join(dir, 'bin/deck.js'), 'build'], { encoding: 'utf8', cwd: dir })

describe('bin/deck.js without lib/', () => {
  it('in an installed package: the install is broken, reinstall it (exit 2)', async () => {
    const dir = await launcherWithoutLib({})
    const r = run(dir)
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('deck: error: this install of marp-deck-pipeline is broken')
    expect(r.stderr).toContain(path.join(dir, 'lib'))
    expect(r.stderr).toContain('npm i -D marp-deck-pipeline')
    expect(r.stderr).not.toContain('npm run')
  })

  it('in a checkout of the repository: compile the sources (exit 2)', async () => {
    const dir = await launcherWithoutLib({ 'src/cli/main.ts': 'export {}\n' })
    const r = run(dir)
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('lib/ is missing')
    expect(r.stderr).toContain('npm run compile')
  })
})
