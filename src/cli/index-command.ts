import { indexBuilds } from '../publish/merge.js'
import type { Command } from './command.js'

/** `deck index`: the merge step of a sharded build (one index page and summary over several output folders). */
export const indexCommand: Command = {
  name: 'index',
  summary: 'Merge the output folders of several builds (CI shards) into one, with one index page and summary',
  description:
    'Reads the .deck-manifest.json of each folder named (default: the output folder), copies their outputs into the ' +
    'output folder, merges their manifests and writes index.html there: each deck with its title, slide count, ' +
    'thumbnail and links to the outputs that exist. Starts no browser.',
  usage: '[folders...] [options]',
  buildFlags: false,
  flags: {
    out: {
      type: 'string',
      short: 'o',
      arg: '<dir>',
      help: 'Folder to merge into (default: the one folder named, else the config\'s "out", else dist)',
    },
    summary: { type: 'string', arg: '<file>', help: 'Append a Markdown summary of every deck, e.g. "$GITHUB_STEP_SUMMARY"' },
    'config-file': { type: 'string', short: 'c', arg: '<file>', help: 'Read this config instead of looking for one' },
    'no-config-file': { type: 'boolean', help: 'Read no config file' },
  },
  run: async ({ inputs, values, cwd, printer }) => {
    const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined)
    const out = str('out')
    const summary = str('summary')
    const configFile = values['no-config-file'] === true ? false : str('config-file')
    const result = await indexBuilds({
      folders: inputs,
      cwd,
      ...(out ? { out } : {}),
      ...(summary ? { summary } : {}),
      ...(configFile !== undefined ? { configFile } : {}),
      onEvent: (event) => printer.event(event),
    })
    const failed = result.decks.filter((d) => d.errors.length).length
    printer.info(`${result.decks.length} deck${result.decks.length === 1 ? '' : 's'} indexed${failed ? `, ${failed} failed` : ''}`)
    return result.exitCode
  },
}
