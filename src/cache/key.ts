import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { browserVersion } from '../browser/version.js'
import { needsBrowser } from '../config/options.js'
import type { LintConfig } from '../lint/config.js'
import type { BuildOptions } from '../pipeline/types.js'
import { ownPackage } from '../util/own-package.js'
import { sha256, stableJson, toRel } from './hash.js'

/*
 * The part of every deck's hash that is the same for the whole build: the settings that change
 * an output or a finding, this package's version, and the browser's when the build uses one.
 * Settings that change only how a build runs (timeouts, the browser's path, lint.strict) are
 * left out, and so are the remote fetch's limits: a deck that fetches an image is never cached,
 * and a web font is checked by asking the RemoteCache again under the build's policy
 * (remote-inputs.ts). Whether the build may fetch stays in: an offline build leaves remote
 * images out of its outputs.
 */

export interface KeyInput {
  options: BuildOptions
  lint: LintConfig
  /** The build writes thumbnails (--index), which the browser makes. */
  thumbnails: boolean
}

/** The CSS files of the theme set (css/ and --theme-set), by path: a theme added or removed can change which file a name means. */
async function themeSetFiles(options: BuildOptions): Promise<string[]> {
  const files: string[] = []
  for (const p of [path.join(options.root, 'css'), ...options.themeSets.map((t) => path.resolve(options.root, t))]) {
    const info = await stat(p).catch(() => undefined)
    if (info?.isFile()) files.push(p)
    else if (info?.isDirectory()) files.push(...(await readdir(p)).filter((n) => n.endsWith('.css')).map((n) => path.join(p, n)))
  }
  return [...new Set(files.map((f) => toRel(options.root, f)))].sort()
}

export async function buildKey({ options: o, lint, thumbnails }: KeyInput): Promise<string> {
  const pkg = ownPackage()
  const rel = (p: string | undefined) => (p === undefined ? undefined : toRel(o.root, p))
  const browser = needsBrowser(o.formats) || thumbnails ? await browserVersion(o.browserPath) : undefined
  const themeValue = o.theme && /[\\/]|\.css$/.test(o.theme) ? rel(path.resolve(o.root, o.theme)) : o.theme
  return sha256(
    stableJson({
      tool: `${pkg.name}@${pkg.version}`,
      browser,
      layout: { inputDir: rel(o.inputDir) },
      formats: [...o.formats].sort(),
      themeSet: await themeSetFiles(o),
      theme: themeValue,
      html: o.html,
      math: o.math ?? true,
      lang: o.lang,
      metadata: o.metadata,
      pdf: { notes: o.pdfNotes, outlines: o.pdfOutlines },
      imageScale: o.formats.includes('png') ? o.imageScale : undefined,
      date: o.date.toISOString(),
      access: { allowLocalFiles: o.allowLocalFiles, fetchRemote: o.fetchRemote },
      lint: { minCodeFontPx: lint.minCodeFontPx, rules: lint.rules },
    }),
  )
}
