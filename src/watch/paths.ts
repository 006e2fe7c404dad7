import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Builder } from '../pipeline/builder.js'

/*
 * Which paths watch mode cares about. Editors leave many files around a save: vim's swap files
 * and its `4913` write test, `~` backups, emacs lock files (`.#deck.md`) and autosaves
 * (`#deck.md#`), our own and other tools' `.tmp` files. None of them is a deck or a theme, and
 * the output folder must never trigger a build (that would loop).
 */

const EDITOR_TEMP = [
  /^\./, // dotfiles: .#lock files, .deck.html.tmp-… from writeFileAtomic, .git, .DS_Store
  /~$/, // backups: deck.md~
  /\.sw[a-z]$/i, // vim swap files (.swp, .swo…) and its .swx probe
  /^4913$/, // vim's "can I write here" probe
  /^#.*#$/, // emacs autosave
  /\.(tmp|temp|bak|crswap)$/i,
  /\.tmp-[\w-]+$/i,
  /^node_modules$/,
]

export function isEditorTemp(file: string): boolean {
  const base = path.basename(file)
  return EDITOR_TEMP.some((re) => re.test(base))
}

export const isInside = (file: string, dir: string): boolean => file === dir || file.startsWith(dir + path.sep)

/** The chokidar `ignored` test: editor leftovers and everything in the output folder. */
export function ignoredBy(outDir: string): (file: string) => boolean {
  const out = path.resolve(outDir)
  return (file) => isInside(path.resolve(file), out) || isEditorTemp(file)
}

export const isDeckFile = (file: string): boolean => /\.md$/i.test(file) && !isEditorTemp(file)

/** Every file the build may have written for a deck: HTML, PDF, PPTX and numbered PNGs. */
export async function deckOutputs(builder: Builder, deck: string): Promise<string[]> {
  const html = builder.outputPath(deck, 'html')
  const base = path.basename(html, '.html')
  const dir = path.dirname(html)
  const names = await readdir(dir).catch(() => [] as string[])
  const png = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\d{3,}\\.png$`)
  const wanted = new Set([`${base}.html`, `${base}.pdf`, `${base}.pptx`])
  return names
    .filter((n) => wanted.has(n) || png.test(n))
    .map((n) => path.join(dir, n))
    .sort()
}

/** Remove a deleted deck's outputs; returns what was removed. */
export async function removeDeckOutputs(builder: Builder, deck: string): Promise<string[]> {
  const files = await deckOutputs(builder, deck)
  await Promise.all(files.map((f) => rm(f, { force: true })))
  return files
}
