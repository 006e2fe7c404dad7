import { constants, existsSync } from 'node:fs'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { loadConfig } from '../config/load.js'
import { DECK_CONFIG_FILES, findProjectRoot } from '../config/root.js'
import { resolveSettings } from '../pipeline/settings.js'
import { PACKAGE_THEME_DIR } from '../render/themes.js'
import { DeckError, ExitCode } from '../util/errors.js'
import type { Command } from './command.js'
import { ownPackage } from '../util/own-package.js'
import type { Printer } from './printer.js'
import { EXAMPLE_DECK, configFile, workflowFile } from './scaffold.js'

// `deck init`: a first deck, a config and the CI workflow, added to the repository; nothing overwritten.

const posix = (p: string): string => p.split(path.sep).join('/') || '.'

/** Writes `content` (or copies `from`) unless the file exists; prints which it did. */
async function add(root: string, rel: string, content: string | { from: string }, printer: Printer): Promise<void> {
  const file = path.join(root, rel)
  try {
    await mkdir(path.dirname(file), { recursive: true })
    if (typeof content === 'string') await writeFile(file, content, { flag: 'wx' })
    else await copyFile(content.from, file, constants.COPYFILE_EXCL)
    printer.info(`  wrote    ${rel}`)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return printer.info(`  skipped  ${rel}: it exists`)
    throw new DeckError(`cannot write ${rel}: ${(e as Error).message}`, { hint: `Check that ${path.dirname(file)} is writable.` })
  }
}

/** Whether the user's package.json lists this package (the workflow's `npm ci` installs it from there). */
async function dependsOn(root: string, name: string): Promise<boolean | undefined> {
  const file = path.join(root, 'package.json')
  if (!existsSync(file)) return undefined
  try {
    const pkg = JSON.parse(await readFile(file, 'utf8')) as Record<string, Record<string, string> | undefined>
    return Boolean(pkg['devDependencies']?.[name] ?? pkg['dependencies']?.[name])
  } catch {
    return false
  }
}

export const initCommand: Command = {
  name: 'init',
  summary: 'Add a first deck, deck.config.json and a CI workflow to this repo (never overwrites)',
  description:
    'Adds to the project (the nearest folder upward with a package.json or a deck config): slides/example.md, ' +
    'deck.config.json with the everyday keys at their defaults (not when the repo has a deck or marp-cli config), ' +
    'and .github/workflows/decks.yml, which lints and builds the decks on each push and publishes the HTML to ' +
    'GitHub Pages. An existing file is never overwritten: each file is listed as written or skipped.',
  usage: '',
  buildFlags: false,
  flags: {},
  async run({ cwd, printer, inputs }) {
    if (inputs.length) {
      throw new DeckError(`deck init takes no arguments (got ${inputs.join(' ')})`, {
        code: ExitCode.USAGE,
        hint: "Run it in the repository's folder: it adds to the project root found from there.",
      })
    }
    const root = await findProjectRoot(cwd)
    const pkg = ownPackage()
    printer.info(`Adding decks to ${root}:`)

    const deckConfig = DECK_CONFIG_FILES.find((name) => existsSync(path.join(root, name)))
    const loaded = deckConfig ? undefined : await loadConfig({ cwd: root })
    if (deckConfig && deckConfig !== 'deck.config.json') printer.info(`  skipped  deck.config.json: ${deckConfig} is the project's config`)
    else if (loaded?.file)
      printer.info(`  skipped  deck.config.json: ${posix(path.relative(root, loaded.file))} (marp-cli's) is read instead`)
    else await add(root, 'deck.config.json', configFile(), printer)

    // Where the decks and outputs are, as the config now in place says.
    const { resolved } = await resolveSettings({ cwd: root })
    const inputDir = posix(path.relative(root, resolved.inputDir))
    const outDir = posix(path.relative(root, resolved.outDir))
    await add(root, `${inputDir}/example.md`, EXAMPLE_DECK, printer)

    const ownThemes = PACKAGE_THEME_DIR && existsSync(path.join(PACKAGE_THEME_DIR, 'palette-3.css'))
    if (ownThemes) printer.info(`  skipped  css/palette-3.css: the theme comes with ${pkg.name} (css/ is for your own themes)`)
    else await add(root, 'css/palette-3.css', { from: path.join(pkg.root, 'css', 'palette-3.css') }, printer)

    await add(root, '.github/workflows/decks.yml', workflowFile(inputDir, outDir, pkg.name), printer)

    const listed = await dependsOn(root, pkg.name)
    const next = [
      ...(listed === undefined ? ['  npm init -y                     a package.json, which the workflow needs'] : []),
      ...(listed !== true ? [`  npm i -D ${pkg.name}`.padEnd(34) + 'the workflow installs it with npm ci'] : []),
      `  npx deck build`.padEnd(34) + `writes ${outDir}/`,
      `  npx deck watch`.padEnd(34) + 'live preview, HTML rebuilt on each save',
    ]
    printer.info(`Next:\n${next.join('\n')}`)
    return ExitCode.OK
  },
}
