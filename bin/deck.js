#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/ into lib/, in this repository by `npm install`
// (`prepare`) or `npm run compile`, and for the package by `npm pack` (`prepack`).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const entry = new URL('../lib/src/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  // The sources sit beside bin/ only in a checkout of the repository; an installed package has
  // lib/ alone, so a missing lib/ there means a broken install, which only a reinstall fixes.
  const checkout = existsSync(new URL('../src/cli/main.ts', import.meta.url))
  const root = fileURLToPath(new URL('..', import.meta.url))
  process.stderr.write(
    checkout
      ? 'deck: error: lib/ is missing: the sources are not compiled\n    Run `npm run compile` (or `npm run setup` on a fresh clone).\n'
      : `deck: error: this install of marp-deck-pipeline is broken: ${root}lib/ is missing\n` +
          '    Reinstall it: `npm uninstall marp-deck-pipeline`, then `npm i -D marp-deck-pipeline` (or the .tgz it came from).\n',
  )
  process.exit(2)
}
const cli = await import(entry.href)
cli.installProcessHooks()
const code = await cli.main(process.argv.slice(2))
// Everything of ours is closed by now, but a library may keep a timer (puppeteer waits up to
// 30 s for a page target that a closed browser never sends): exit once the output is flushed.
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve))
await Promise.all([flushed(process.stdout), flushed(process.stderr)])
process.exit(code)
