import { build } from '../pipeline/run.js'
import type { Command } from './command.js'
import { optionsFromFlags } from './options.js'

/** `deck build`: every named deck (default: slides/) to every requested format. */
export const buildCommand: Command = {
  name: 'build',
  summary: 'Build decks once (the default command: `deck talk.md` is `deck build talk.md`)',
  description:
    "Builds each deck named (a Markdown file or a folder of them; default: every .md under slides/, or the config's decks) " +
    "to each format, into dist/ with the decks' folder layout. `-o talk.pdf` writes one deck's one format to that file.",
  usage: '[decks or folders...] [options]',
  buildFlags: true,
  flags: {
    summary: {
      type: 'string',
      arg: '<file>',
      help: 'Append a Markdown summary (decks, slides, outputs, sizes, findings), e.g. "$GITHUB_STEP_SUMMARY"',
    },
    index: { type: 'boolean', help: 'Write index.html in the output folder, listing the decks built (for GitHub Pages)' },
  },
  run: async ({ inputs, values, cwd, printer }) => {
    const summary = values['summary']
    const result = await build({
      ...optionsFromFlags(values, inputs, cwd),
      ...(typeof summary === 'string' ? { summary } : {}),
      index: values['index'] === true,
      onEvent: (event) => printer.event(event),
    })
    printer.buildDone(result)
    return result.exitCode
  },
}
