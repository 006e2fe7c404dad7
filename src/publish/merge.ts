import { appendFile, copyFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { fromRel } from '../cache/hash.js'
import { emptyManifest, readManifest, reportOf, writeManifest, MANIFEST_FILE, type ManifestEntry } from '../cache/manifest.js'
import type { EventHandler } from '../pipeline/events.js'
import { failureCode, type DeckReport } from '../pipeline/report.js'
import { resolveSettings } from '../pipeline/settings.js'
import { writeFileAtomic } from '../util/atomic-write.js'
import { DeckError, ExitCode } from '../util/errors.js'
import { indexPage } from './index-page.js'
import { buildSummary } from './summary.js'

/*
 * `deck index <folders...>`: the merge step of a sharded build. Each folder holds one build's
 * outputs and its manifest (a shard's artifact); their outputs are copied into one output
 * folder, their manifests merged into its manifest, and one index page and one summary made
 * from it. Nothing is rendered and no browser starts.
 */

export interface IndexOptions {
  /** Folders of builds, each with its `.deck-manifest.json`. Default: the output folder alone. */
  folders?: string[]
  /** The folder the merged outputs, manifest and index.html go to (default: the one folder named, else the config's `out`, else `dist`). */
  out?: string
  /** Append the Markdown summary of every deck to this file (`$GITHUB_STEP_SUMMARY`). */
  summary?: string
  /** Where relative paths start and the project root is looked for. */
  cwd?: string
  /** A config file to read (for `out`), or `false` for none. */
  configFile?: string | false
  /** Each file written (the index page). */
  onEvent?: EventHandler
}

export interface IndexResult {
  /** 1 when a deck's build had failed, else 0. */
  exitCode: ExitCode
  outDir: string
  /** The index page written. */
  index: string
  decks: DeckReport[]
}

export async function indexBuilds(options: IndexOptions = {}): Promise<IndexResult> {
  const cwd = path.resolve(options.cwd ?? process.cwd())
  // One folder and no `out`: the index goes into that folder.
  const out = options.out ?? (options.folders?.length === 1 ? options.folders[0] : undefined)
  const settings = await resolveSettings({
    cwd,
    ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
    ...(out ? { out } : {}),
  })
  const { root } = settings
  const outDir = settings.build.outDir
  const folders = (options.folders?.length ? options.folders : [outDir]).map((f) => path.resolve(cwd, f))
  const merged = emptyManifest()
  for (const folder of folders) {
    const manifest = await readManifest(folder)
    if (!manifest) {
      throw new DeckError(`no ${MANIFEST_FILE} in ${path.relative(cwd, folder) || '.'}`, {
        code: ExitCode.USAGE,
        location: { file: folder },
        hint: 'Name folders that `deck build` wrote to (with -o), e.g. the artifacts of each shard.',
      })
    }
    for (const [deck, entry] of Object.entries(manifest.decks)) {
      if (folder !== outDir) await copyOutputs(entry, folder, outDir)
      merged.decks[deck] = entry
    }
  }
  await writeManifest(outDir, merged)
  const decks = Object.entries(merged.decks)
    .map(([deck, entry]) => reportOf(deck, entry, root, outDir))
    .sort((a, b) => a.file.localeCompare(b.file))
  const index = path.join(outDir, 'index.html')
  await writeFileAtomic(index, indexPage(decks, outDir))
  options.onEvent?.({ type: 'written', file: index })
  if (options.summary) await appendFile(path.resolve(cwd, options.summary), buildSummary(decks, cwd))
  return { exitCode: failureCode(decks), outDir, index, decks }
}

/** A deck's outputs and thumbnail from a shard's folder into the merged one, at the same relative paths. */
async function copyOutputs(entry: ManifestEntry, from: string, to: string): Promise<void> {
  const files = [...entry.outputs.map((o) => o.file), ...(entry.thumbnail ? [entry.thumbnail.file] : [])]
  for (const rel of files) {
    const target = fromRel(to, rel)
    await mkdir(path.dirname(target), { recursive: true })
    await copyFile(fromRel(from, rel), target).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e
    })
  }
}
