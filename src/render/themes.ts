import { existsSync } from 'node:fs'
import { readFile, readdir, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { checkLocalFile } from '../access/local.js'
import type { AccessPolicy, Refusal } from '../access/policy.js'
import { isText } from '../access/sniff.js'
import type { Diagnostic } from '../util/diagnostics.js'
import { DeckError, ExitCode } from '../util/errors.js'
import { ownPackage } from '../util/own-package.js'

/*
 * The theme set: CSS files from `css/` and `--theme-set`, known by their `@theme` name (Marp's
 * header metadata), on top of the package's own themes. A deck's `theme:` that looks like a path
 * resolves relative to the deck, then to the project root; a bare name resolves to the project's
 * themes, then the package's, then Marp's built-ins. The registry also remembers which decks use
 * which theme file, so watch mode rebuilds exactly those decks.
 */

export interface ThemeEntry {
  name: string
  file: string
  css: string
  /** Names given to `@import` in this theme (other themes it builds on). */
  imports: string[]
}

export const BUILTIN_THEMES = ['default', 'gaia', 'uncover'] as const

/** The package's own themes (palette-3): the `css/` folder at the package's root, if it has one. */
export const PACKAGE_THEME_DIR: string | undefined = (() => {
  const css = path.join(ownPackage().root, 'css')
  return existsSync(css) ? css : undefined
})()

const THEME_META = /@theme\s+([^\s*]+)/
const IMPORTS = /@import(?:-theme)?\s+(?:url\()?["']([^"')]+)["']\)?/g

export function parseTheme(file: string, css: string): ThemeEntry {
  const name = THEME_META.exec(css)?.[1]
  if (!name) {
    throw new DeckError(`theme file has no @theme name`, {
      location: { file },
      hint: 'Start the CSS with a header comment like `/* @theme my-palette */`.',
    })
  }
  const imports = [...css.matchAll(IMPORTS)].map((m) => m[1]!).filter(Boolean)
  return { name, file, css: rebaseUrls(css, path.dirname(file)), imports }
}

const RELATIVE_URL = /(^|[^\w-])url\(\s*(["']?)(?![a-z][a-z0-9+.-]*:|\/\/|#)([^)"']+)\2\s*\)/gim

/**
 * A theme's relative `url()`s (a background picture beside the CSS) point at the theme's own
 * folder, wherever the deck is: they become `file:` URLs here, which the render embeds through
 * the local-file policy like any image a deck names. `@import` lines name other themes and are
 * left as they are.
 */
export function rebaseUrls(css: string, dir: string): string {
  return css
    .split('\n')
    .map((line) =>
      /^\s*@import\b/.test(line)
        ? line
        : line.replace(
            RELATIVE_URL,
            (_all, before: string, _q, url: string) => `${before}url("${pathToFileURL(path.resolve(dir, url.trim())).href}")`,
          ),
    )
    .join('\n')
}

export const looksLikePath = (value: string): boolean => value.includes('/') || value.includes('\\') || value.endsWith('.css')

export type ThemeResolution =
  | { kind: 'file'; entry: ThemeEntry }
  | { kind: 'builtin'; name: string }
  | { kind: 'missing'; value: string; tried: string[] }
  | { kind: 'refused'; value: string; refusal: Refusal }

export class ThemeRegistry {
  private readonly byFile = new Map<string, ThemeEntry>()
  private readonly byName = new Map<string, ThemeEntry>()
  private readonly users = new Map<string, Set<string>>()
  private readonly pending: Diagnostic[] = []
  private readonly folderSet = new Set<string>()
  /** The package's themes by name: found when no project theme has the name, like built-ins. */
  private readonly packaged = new Map<string, ThemeEntry>()
  /** Bumped on every change, so engines built on an older theme set are rebuilt. */
  version = 0

  constructor(
    readonly projectRoot: string,
    /** Where the package's own themes are (none: only the project's and Marp's). */
    private readonly packageThemes: string | undefined = PACKAGE_THEME_DIR,
  ) {}

  /**
   * The project's themes: its css/ folder when there is one, then every --theme-set path; then
   * the package's themes under the names the project leaves free.
   */
  async addProject(themeSets: readonly string[]): Promise<void> {
    const cssDir = path.join(this.projectRoot, 'css')
    if (
      await stat(cssDir).then(
        (s) => s.isDirectory(),
        () => false,
      )
    )
      await this.addPath(cssDir)
    for (const p of themeSets) await this.addPath(p)
    await this.addPackageThemes()
  }

  /**
   * The package's theme files, each parsed once. A file the project's theme set already holds
   * (in this repository, css/ is both) stays a project theme only, so that watch mode sees its
   * edits and its removal. Their folder is an allowed root so that these themes' url()s load,
   * as the project's theme folders are; it holds nothing but the package's themes.
   */
  private async addPackageThemes(): Promise<void> {
    const dir = this.packageThemes
    if (!dir || !existsSync(dir)) return
    const real = (f: string) => realpath(f).catch(() => f)
    const own = new Set(await Promise.all([...this.byFile.keys()].map(real)))
    const names = (await readdir(dir)).filter((n) => n.endsWith('.css')).sort()
    for (const name of names) {
      const file = path.join(dir, name)
      if (own.has(await real(file))) continue
      const css = await readFile(file, 'utf8')
      if (!THEME_META.test(css)) continue
      const entry = parseTheme(file, css)
      this.packaged.set(entry.name, entry)
    }
    if (!this.packaged.size) return
    this.folderSet.add(dir)
    this.version += 1
  }

  /** A package theme that no project theme hides. */
  private packageTheme(name: string): ThemeEntry | undefined {
    return this.byName.has(name) ? undefined : this.packaged.get(name)
  }

  /** The folders the theme set comes from: decks may read files (theme images) there. */
  folders(): string[] {
    return [...this.folderSet].sort()
  }

  /** Add a CSS file, or every `.css` file in a folder (not recursive). */
  async addPath(p: string): Promise<ThemeEntry[]> {
    const abs = path.resolve(this.projectRoot, p)
    const info = await stat(abs).catch(() => null)
    if (info) this.folderSet.add(info.isDirectory() ? abs : path.dirname(abs))
    if (!info) {
      throw new DeckError(`theme path not found: ${p}`, {
        code: ExitCode.USAGE,
        hint: 'Pass a CSS file or a folder of CSS files to --theme-set.',
      })
    }
    if (!info.isDirectory()) return [await this.addListed(abs)].filter((e) => e !== undefined)
    const names = (await readdir(abs)).filter((n) => n.endsWith('.css')).sort()
    const added = await Promise.all(names.map((n) => this.addListed(path.join(abs, n))))
    return added.filter((e) => e !== undefined)
  }

  /**
   * A file of the theme set. One without an `@theme` name is left out with a warning, as
   * marp-cli does, so that it fails only a deck that names it by path, not every deck.
   */
  private async addListed(file: string): Promise<ThemeEntry | undefined> {
    if (THEME_META.test(await readFile(file, 'utf8'))) return this.addFile(file)
    this.pending.push({
      rule: 'theme',
      severity: 'warning',
      file,
      message: 'theme CSS has no `@theme` name, so it is left out of the theme set',
      hint: 'Start the CSS with a header comment like `/* @theme my-palette */`, or move the file out of the theme folder.',
    })
    return undefined
  }

  /** Findings about the theme set itself, each handed out once (a build reports them once). */
  takeProblems(): Diagnostic[] {
    return this.pending.splice(0)
  }

  async addFile(file: string): Promise<ThemeEntry> {
    const abs = path.resolve(file)
    const entry = parseTheme(abs, await readFile(abs, 'utf8'))
    const previous = this.byFile.get(abs)
    if (previous && this.byName.get(previous.name) === previous) this.byName.delete(previous.name)
    this.byFile.set(abs, entry)
    this.byName.set(entry.name, entry)
    this.version += 1
    return entry
  }

  remove(file: string): void {
    const abs = path.resolve(file)
    const entry = this.byFile.get(abs)
    if (!entry) return
    this.byFile.delete(abs)
    if (this.byName.get(entry.name) === entry) this.byName.delete(entry.name)
    this.version += 1
  }

  /** Every theme the engine loads: the project's, and the package's that no project theme hides. */
  entries(): ThemeEntry[] {
    const visible = [...this.packaged.keys()].flatMap((name) => this.packageTheme(name) ?? [])
    return [...this.byFile.values(), ...visible].sort((a, b) => a.file.localeCompare(b.file))
  }

  get(name: string): ThemeEntry | undefined {
    return this.byName.get(name) ?? this.packageTheme(name)
  }

  fileEntry(file: string): ThemeEntry | undefined {
    const abs = path.resolve(file)
    return this.byFile.get(abs) ?? [...this.packaged.values()].find((e) => e.file === abs)
  }

  /** Resolve a deck's `theme:` value; paths go through `access` (default: the project root only). */
  async resolve(
    value: string,
    deckDir: string,
    access: Pick<AccessPolicy, 'roots' | 'allowLocalFiles'> = { roots: [this.projectRoot], allowLocalFiles: false },
  ): Promise<ThemeResolution> {
    if (looksLikePath(value)) {
      const tried = [path.resolve(deckDir, value), path.resolve(this.projectRoot, value)]
      for (const candidate of tried) {
        const known = this.byFile.get(candidate)
        if (known) return { kind: 'file', entry: known }
        // A deck names this file: it goes through the local-file policy like any image would.
        const check = await checkLocalFile(candidate, access)
        if (check.kind === 'missing') continue
        if (check.kind === 'refused') return { kind: 'refused', value, refusal: check.refusal }
        if (!isText(await readFile(check.real))) {
          return { kind: 'refused', value, refusal: { reason: 'it is not a CSS text file', hint: 'Name a theme CSS file.' } }
        }
        return { kind: 'file', entry: await this.addFile(candidate) }
      }
      return { kind: 'missing', value, tried: [...new Set(tried)] }
    }
    const entry = this.get(value)
    if (entry) return { kind: 'file', entry }
    if ((BUILTIN_THEMES as readonly string[]).includes(value)) return { kind: 'builtin', name: value }
    return { kind: 'missing', value, tried: [] }
  }

  /** Theme files a theme depends on: itself and, transitively, the themes it imports. */
  closure(entry: ThemeEntry): ThemeEntry[] {
    const out: ThemeEntry[] = []
    const visit = (e: ThemeEntry): void => {
      if (out.includes(e)) return
      out.push(e)
      for (const name of e.imports) {
        const dep = this.get(name)
        if (dep) visit(dep)
      }
    }
    visit(entry)
    return out
  }

  /** Record that `deck` renders with these theme files (replacing what it used before). */
  recordUse(deck: string, files: string[]): void {
    for (const set of this.users.values()) set.delete(deck)
    for (const f of files) {
      const set = this.users.get(f) ?? new Set<string>()
      set.add(deck)
      this.users.set(f, set)
    }
  }

  /** Decks that used this theme file in their last render. */
  decksUsing(file: string): string[] {
    return [...(this.users.get(path.resolve(file)) ?? [])].sort()
  }
}

/** A theme as Marpit's ThemeSet holds it: its CSS and the names it `@import`s. */
interface ThemeLike {
  css: string
  importRules?: ReadonlyArray<{ value?: string }>
}

/**
 * Selectors of the rules of a theme (and the themes it imports) that cut their content off
 * (`overflow: hidden` or `clip`): boxes the theme clips by design, such as gaia's fixed-height
 * header and footer. Lint does not report what they hide. `:root` is Marp's name for the slide;
 * pseudo-elements are left out (no element matches them).
 */
export function themeClippingSelectors(get: (name: string) => ThemeLike | undefined, name: string): string[] {
  const out = new Set<string>()
  const seen = new Set<string>()
  const visit = (n: string): void => {
    if (seen.has(n)) return
    seen.add(n)
    const theme = get(n)
    if (!theme) return
    const css = theme.css.replace(/\/\*[\s\S]*?\*\//g, '')
    for (const m of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
      if (!/(?:^|[;\s])overflow(?:-[xy])?\s*:\s*(?:hidden|clip)\b/i.test(m[2]!)) continue
      for (const raw of m[1]!.split(',')) {
        const selector = raw.trim().replace(/:root\b/g, 'section')
        if (selector && !selector.startsWith('@') && !/::?(?:before|after|marker|placeholder|selection)\b|::/i.test(selector))
          out.add(selector)
      }
    }
    for (const rule of theme.importRules ?? []) if (rule.value) visit(rule.value)
  }
  visit(name)
  return [...out].sort()
}
