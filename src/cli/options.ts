import { parseFormats, parsePositiveNumber } from '../config/options.js'
import type { DeckOptions } from '../pipeline/settings.js'
import type { FlagValues } from './commands.js'

/**
 * The flags every command shares, as API options: names as in the config file, values typed.
 * A flag that is not given stays unset, so the config file (then the default) decides.
 */
export function optionsFromFlags(values: FlagValues, inputs: readonly string[], cwd: string): DeckOptions {
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined)
  const flag = (name: string): boolean | undefined => (values[name] === true ? true : undefined)
  const number = (name: string): number | undefined => {
    const v = text(name)
    return v === undefined ? undefined : parsePositiveNumber(`--${name}`, v, 0)
  }
  const format = text('format')
  const themeSet = values['theme-set']
  const timeout = number('browser-timeout')
  const options: DeckOptions = {
    cwd,
    ...(inputs.length ? { decks: [...inputs] } : {}),
    ...(text('out') !== undefined ? { out: text('out') } : {}),
    ...(format !== undefined ? { formats: parseFormats(format) } : {}),
    ...(Array.isArray(themeSet) && themeSet.length ? { themeSet: themeSet.map(String) } : {}),
    ...(text('config-file') !== undefined ? { configFile: text('config-file') } : {}),
    html: flag('html'),
    pdfNotes: flag('pdf-notes'),
    imageScale: number('image-scale'),
    offline: flag('offline'),
    remoteTimeout: number('remote-timeout'),
    allowLocalFiles: flag('allow-local-files'),
    allowPrivateNetwork: flag('allow-private-network'),
    maxRemoteSize: number('max-remote-size'),
    browserPath: text('browser-path'),
    browserTimeout: timeout,
  }
  return options
}
