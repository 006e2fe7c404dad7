/**
 * marp-cli configuration used by the HTML exporter: marp-cli's bespoke template (keyboard
 * navigation, presenter view, slide numbers in the URL) around our own engine.
 */
import { createEngine } from '../engine.js'

export default {
  engine: createEngine,
  // marp-cli otherwise takes the language from the machine's locale (LANG=C gives lang="C"),
  // so the same deck would give different bytes on different machines. A `lang:` directive
  // in the deck still wins.
  lang: 'en',
}
