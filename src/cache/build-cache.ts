import { realpathSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { isInside } from '../access/local.js'
import type { Format } from '../config/options.js'
import type { LintConfig } from '../lint/config.js'
import { toReport, type DeckReport } from '../pipeline/report.js'
import type { BuildOptions, DeckResult } from '../pipeline/types.js'
import type { DeckReads } from '../render/render.js'
import createDebug from '../util/debug.js'
import { ownPackage } from '../util/own-package.js'
import { FileHashes, fromRel, sha256, stableJson, toRel } from './hash.js'
import { buildKey } from './key.js'
import { emptyManifest, entryOf, readManifest, reportOf, writeManifest, type Manifest, type ManifestEntry } from './manifest.js'
import { isRemoteInput, RemoteInputs, remoteInputName } from './remote-inputs.js'

const debug = createDebug('cache')

/*
 * The build cache. A deck's hash covers the files its last render read (its text, the theme
 * files it used with their imports, the images and fonts it embedded, the files it looked for
 * and did not find, the web-font resources it embedded) and the build's key (settings, package
 * and browser versions, see key.ts). A deck is up to date when the files its manifest entry lists
 * hash to the same value, its web fonts are what the RemoteCache holds (remote-inputs.ts), and its
 * outputs are there with the bytes recorded: that check reads files (and fetches a font missing
 * from the cache, when online) and starts no browser and no render. A deck that fetched a remote
 * image, could not have a web font, or failed, is never up to date.
 */

/** Marks an input the local-file policy refused outside the project: its bytes were never read, so they are not hashed. */
const REFUSED = 'refused'
/** Decks checked at a time. */
const CHECKS_AT_ONCE = 8

export class BuildCache {
  private readonly hashes = new FileHashes()
  /** When the build began (before any render read a file), as file times count. */
  private readonly startedMs = Date.now()
  private realRootPath: string | undefined
  private remoteInputs: RemoteInputs | undefined

  private constructor(
    private readonly options: BuildOptions,
    private readonly key: string,
    private readonly manifest: Manifest,
    private readonly thumbnails: boolean,
    /** Write the manifest even when it would be new and empty (a shard with no decks still leaves a folder to merge). */
    private readonly writeEmpty: boolean,
  ) {}

  /** The cache of a build into a folder (none for `-o talk.pdf`, one file with no folder of its own). */
  static async open(
    options: BuildOptions,
    lint: LintConfig,
    opts: { thumbnails: boolean; writeEmpty: boolean },
  ): Promise<BuildCache | undefined> {
    if (options.outFile) return undefined
    const [key, manifest] = await Promise.all([
      buildKey({ options, lint, thumbnails: opts.thumbnails }),
      // A manifest that is not JSON (edited by hand) is a cold cache, not a failed build.
      readManifest(options.outDir).catch((e: unknown) => {
        debug('%O', e)
        return emptyManifest()
      }),
    ])
    return new BuildCache(options, key, manifest ?? emptyManifest(), opts.thumbnails, opts.writeEmpty || manifest !== undefined)
  }

  private get root(): string {
    return this.options.root
  }

  /** The decks among `decks` that are up to date, with their reports (from the manifest). */
  async upToDate(decks: readonly string[]): Promise<Map<string, DeckReport>> {
    const fresh = new Map<string, DeckReport>()
    // A few decks at a time: thousands at once would open more files than a process may.
    let next = 0
    const worker = async (): Promise<void> => {
      for (let i = next++; i < decks.length; i = next++) {
        const file = decks[i]!
        const rel = toRel(this.root, file)
        const entry = this.manifest.decks[rel]
        if (entry && (await this.isFresh(rel, entry))) {
          fresh.set(file, { ...reportOf(rel, entry, this.root, this.options.outDir), upToDate: true })
        }
      }
    }
    await Promise.all(Array.from({ length: CHECKS_AT_ONCE }, worker))
    // In the decks' order, so the build reports them in the same order every time.
    return new Map(decks.flatMap((d) => (fresh.has(d) ? [[d, fresh.get(d)!] as const] : [])))
  }

  /**
   * An input's name in the manifest: its path relative to the project root, or, for this
   * package's own files outside the project (its themes, when the action installed it
   * elsewhere), `<package name>:<path in the package>`, which is the same on every machine.
   */
  private inputName(file: string): string {
    if (isInside(file, this.root)) return toRel(this.root, file)
    // Embedded files come as real paths: under a root reached through a symlink (macOS's /tmp) they are still the project's.
    if (isInside(file, this.realRoot)) return toRel(this.realRoot, file)
    const pkg = ownPackage()
    if (isInside(file, pkg.root)) return `${pkg.name}:${toRel(pkg.root, file)}`
    return toRel(this.root, file)
  }

  private get realRoot(): string {
    return (this.realRootPath ??= (() => {
      try {
        return realpathSync(this.root)
      } catch {
        return this.root
      }
    })())
  }

  private inputFile(name: string): string {
    const pkg = ownPackage()
    return name.startsWith(`${pkg.name}:`) ? fromRel(pkg.root, name.slice(pkg.name.length + 1)) : fromRel(this.root, name)
  }

  private async isFresh(rel: string, entry: ManifestEntry): Promise<boolean> {
    if (!entry.hash || entry.errors.length) return false
    if (this.thumbnails && !entry.thumbnail) return false
    const inputs: Record<string, string | null> = {}
    const remote: string[] = []
    for (const [name, was] of Object.entries(entry.inputs)) {
      if (isRemoteInput(name)) remote.push(name)
      else inputs[name] = was === REFUSED ? REFUSED : await this.hashes.of(this.inputFile(name))
    }
    // Web fonts after the files: a deck whose files changed is rebuilt without a fetch.
    if (remote.length && Object.entries(inputs).every(([name, now]) => entry.inputs[name] === now)) {
      this.remoteInputs ??= new RemoteInputs(this.options)
      for (const name of remote) inputs[name] = await this.remoteInputs.hashOf(name)
    }
    if (this.deckHash(rel, inputs) !== entry.hash) {
      debug('%s: inputs changed', rel)
      return false
    }
    const outputs = [...entry.outputs, ...(entry.thumbnail ? [entry.thumbnail] : [])]
    for (const out of outputs) {
      if ((await this.hashes.of(fromRel(this.options.outDir, out.file))) !== out.sha256) {
        debug('%s: output %s missing or changed', rel, out.file)
        return false
      }
    }
    return true
  }

  private deckHash(deck: string, inputs: Record<string, string | null>): string {
    return sha256(stableJson({ key: this.key, deck, inputs }))
  }

  /**
   * Record the decks just built and write the manifest. Entries of other decks stay (another
   * shard's, or decks not named this time), unless their deck file is gone.
   */
  async record(results: readonly DeckResult[]): Promise<void> {
    const hashes = new FileHashes()
    for (const result of results) {
      const rel = toRel(this.root, result.file)
      const report = toReport(result)
      const outputs = await Promise.all(
        result.outputs.map(async (o) => ({
          format: o.format as Format,
          file: o.file,
          bytes: o.bytes,
          sha256: (await hashes.of(o.file)) ?? '',
        })),
      )
      const thumbSha = result.thumbnail ? await hashes.of(result.thumbnail) : null
      const base = entryOf(report, this.root, this.options.outDir, outputs)
      const thumbnail =
        result.thumbnail && thumbSha ? { thumbnail: { file: toRel(this.options.outDir, result.thumbnail), sha256: thumbSha } } : {}
      const why = uncacheable(result)
      if (why) {
        this.manifest.decks[rel] = { ...base, ...thumbnail, hash: null, uncacheable: why, inputs: {} }
        continue
      }
      const inputs = await this.inputsOf(result.deck!.reads, hashes)
      // A file saved while the build ran may be newer than what the render read: its hash would
      // vouch for outputs made from the older bytes.
      const late = await this.changedSinceStart(result.deck!.reads.files)
      if (late) {
        this.manifest.decks[rel] = {
          ...base,
          ...thumbnail,
          hash: null,
          uncacheable: `${this.inputName(late)} changed during the build`,
          inputs: {},
        }
        continue
      }
      this.manifest.decks[rel] = { ...base, ...thumbnail, hash: this.deckHash(rel, inputs), inputs }
    }
    for (const deck of Object.keys(this.manifest.decks)) {
      if ((await hashes.of(fromRel(this.root, deck))) === null) delete this.manifest.decks[deck]
    }
    if (Object.keys(this.manifest.decks).length || this.writeEmpty) await writeManifest(this.options.outDir, this.manifest)
  }

  /** The first of `files` modified after this build began, if any. */
  private async changedSinceStart(files: readonly string[]): Promise<string | undefined> {
    for (const file of files) {
      const info = await stat(file).catch(() => undefined)
      if (info && info.mtimeMs > this.startedMs) return file
    }
    return undefined
  }

  private async inputsOf(reads: DeckReads, hashes: FileHashes): Promise<Record<string, string | null>> {
    const inputs: Record<string, string | null> = {}
    for (const f of [...reads.files, ...reads.absent]) inputs[this.inputName(f)] = await hashes.of(f)
    // A refused file inside the project was refused for its bytes (not an image): they count.
    for (const f of reads.refused) inputs[this.inputName(f)] = isInside(path.resolve(f), this.root) ? await hashes.of(f) : REFUSED
    for (const r of reads.fetched) inputs[remoteInputName(r)] = r.sha256
    return inputs
  }
}

/** Why a deck's outputs cannot be trusted to follow from its files, if so. */
function uncacheable(result: DeckResult): string | undefined {
  if (result.errors.length || !result.deck) return 'it failed'
  const remote = result.deck.reads.remote
  if (remote.length) return `it fetches ${remote[0]}${remote.length > 1 ? ` and ${remote.length - 1} more` : ''}, which may change`
  return undefined
}
