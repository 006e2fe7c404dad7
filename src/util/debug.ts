import debug from 'debug'

/** `DEBUG=deck:*` (or `deck:browser`, …) prints internals to stderr. */
export default function createDebug(namespace: string): debug.Debugger {
  return debug(`deck:${namespace}`)
}
