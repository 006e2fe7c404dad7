import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Format } from '../config/options.js'
import type { DeckReport } from '../pipeline/report.js'
import { writeFileAtomic } from '../util/atomic-write.js'
import type { Diagnostic } from '../util/diagnostics.js'
import { DeckError, ExitCode, type ReportedError } from '../util/errors.js'
import { fromRel, stableJson, toRel } from './hash.js'

/*
 * `<out>/.deck-manifest.json`: what the last builds into a folder made, deck by deck. The build
 * cache reads it to skip decks whose inputs and outputs are unchanged; `deck index` reads the
 * manifests of several folders (the shards of a build) to make one index page and summary.
 * Paths are relative: decks, inputs and findings to the project root, outputs to the folder
 * the manifest is in. Written atomically, keys sorted, no clock: the same builds give the same
 * bytes.
 */

export const MANIFEST_FILE = '.deck-manifest.json'
const VERSION = 1

export interface ManifestOutput {
  format: Format
  /** Relative to the manifest's folder. */
  file: string
  bytes: number
  sha256: string
}

export interface ManifestEntry {
  /** The deck's inputs and the build's settings as one sha256; null when the deck is not cached (see `uncacheable`). */
  hash: string | null
  /** Why the deck is rebuilt every time (it fetches a remote image, a web font could not be had, it failed). */
  uncacheable?: string
  /**
   * Each file the render read or looked for (root-relative): its sha256, null when absent, `refused` when outside the
   * project; and each web-font resource it embedded (`remote:css:<url>`, `remote:font:<url>`): the sha256 of its body.
   */
  inputs: Record<string, string | null>
  outputs: ManifestOutput[]
  /** Slide 1, small, for the index page. */
  thumbnail?: { file: string; sha256: string }
  title?: string
  slides: number
  slideLines: number[]
  author?: string
  description?: string
  /** Findings as the build reported them (files root-relative), replayed when the deck is up to date. */
  findings: Diagnostic[]
  errors: ReportedError[]
}

export interface Manifest {
  version: typeof VERSION
  /** By the deck's root-relative path. */
  decks: Record<string, ManifestEntry>
}

export const emptyManifest = (): Manifest => ({ version: VERSION, decks: {} })

export const manifestPath = (dir: string): string => path.join(dir, MANIFEST_FILE)

/** The manifest in `dir`; empty when there is none or it is of another version (the build then rebuilds every deck). */
export async function readManifest(dir: string): Promise<Manifest | undefined> {
  const file = manifestPath(dir)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  try {
    const data = JSON.parse(text) as Manifest
    if (data.version !== VERSION || typeof data.decks !== 'object' || !data.decks) return emptyManifest()
    return data
  } catch (e) {
    throw new DeckError(`the build manifest is not valid JSON: ${(e as Error).message}`, {
      code: ExitCode.USAGE,
      location: { file },
      hint: `Delete ${MANIFEST_FILE} (the next build rebuilds every deck), or build with --force.`,
    })
  }
}

/** Write the manifest, unless the file already holds these bytes (a build that changed nothing leaves the folder as it was). */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const text = `${stableJson(manifest, 2)}\n`
  if ((await readFile(manifestPath(dir), 'utf8').catch(() => undefined)) === text) return
  await writeFileAtomic(manifestPath(dir), text)
}

const relFile = <T extends { file?: string }>(root: string, item: T, map: (root: string, f: string) => string): T =>
  item.file === undefined ? item : { ...item, file: map(root, item.file) }

/** A deck's report as the manifest keeps it (paths made relative), without the hash part. */
export function entryOf(
  report: DeckReport,
  root: string,
  dir: string,
  outputs: Array<{ format: Format; file: string; bytes: number; sha256: string }>,
): Omit<ManifestEntry, 'hash' | 'inputs' | 'uncacheable'> {
  return {
    outputs: outputs.map((o) => ({ ...o, file: toRel(dir, o.file) })).sort((a, b) => a.file.localeCompare(b.file)),
    ...(report.title !== undefined ? { title: report.title } : {}),
    slides: report.slides,
    slideLines: report.slideLines,
    ...(report.author ? { author: report.author } : {}),
    ...(report.description ? { description: report.description } : {}),
    findings: report.findings.map((d) => relFile(root, d, toRel)),
    errors: report.errors.map((e) => relFile(root, e, toRel)),
  }
}

/** A manifest entry as the API reports a deck: absolute paths, outputs in `dir`. */
export function reportOf(deck: string, entry: ManifestEntry, root: string, dir: string): DeckReport {
  return {
    file: fromRel(root, deck),
    ...(entry.title !== undefined ? { title: entry.title } : {}),
    slides: entry.slides,
    slideLines: entry.slideLines,
    ...(entry.author ? { author: entry.author } : {}),
    ...(entry.description ? { description: entry.description } : {}),
    outputs: entry.outputs.map((o) => ({ format: o.format, file: fromRel(dir, o.file), bytes: o.bytes, ms: 0 })),
    findings: entry.findings.map((d) => relFile(root, d, fromRel)),
    errors: entry.errors.map((e) => relFile(root, e, fromRel)),
    renderMs: 0,
    ...(entry.thumbnail ? { thumbnail: fromRel(dir, entry.thumbnail.file) } : {}),
  }
}
