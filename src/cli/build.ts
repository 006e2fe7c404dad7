import { build } from '../pipeline/run.js'
import type { Command } from './commands.js'
import { optionsFromFlags } from './options.js'

/** `deck build`: every named deck (default: slides/) to every requested format. */
export const buildCommand: Command = {
  name: 'build',
  summary: 'Build decks once (the default command)',
  flags: {
    summary: { type: 'string' },
    index: { type: 'boolean' },
  },
  help: [
    '      --summary <file>      Append a Markdown summary (decks, slides, outputs, sizes, findings), e.g. "$GITHUB_STEP_SUMMARY"',
    '      --index               Write index.html in the output folder, listing the decks built (for GitHub Pages)',
  ],
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
