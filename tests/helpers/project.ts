import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BuildOptions } from '../../src/pipeline/types.js'
import type { RenderAheadOptions } from '../../src/render/ahead.js'
import { defaultBuildOptions } from '../../src/pipeline/types.js'

/** Repository root (tests run from the source tree). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const FIXTURES = path.join(ROOT, 'tests/fixtures')
export const SEED = path.join(ROOT, 'slides/cni-deep-dive.md')

/** A real 1x1 PNG (tests that need an image file whose bytes are an image). */
export const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

/** A throwaway project folder with css/ copied from the repo; removed by the returned cleanup. */
export async function tempProject(files: Record<string, string | Uint8Array> = {}): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deck-test-'))
  await cp(path.join(ROOT, 'css'), path.join(dir, 'css'), { recursive: true })
  await mkdir(path.join(dir, 'slides'), { recursive: true })
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true })
    await writeFile(path.join(dir, name), content)
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** Build options for a test project: offline, a fixed date, a generous browser timeout. */
export function buildOptions(root: string, overrides: Partial<BuildOptions> = {}): BuildOptions {
  return defaultBuildOptions(root, {
    fetchRemote: false,
    remoteTimeoutMs: 1000,
    browserTimeoutMs: 60_000,
    date: new Date('2000-01-01T00:00:00Z'),
    ...overrides,
  })
}

/** The render worker's options for a test project: offline, private network and outside files refused. */
export function workerOptions(root: string, overrides: Partial<RenderAheadOptions> = {}): RenderAheadOptions {
  return {
    root,
    themeSets: [],
    html: false,
    fetchRemote: false,
    remoteTimeoutMs: 1000,
    allowLocalFiles: false,
    allowPrivateNetwork: false,
    maxRemoteBytes: 2 ** 20,
    ...overrides,
  }
}
