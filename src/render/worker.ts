import { parentPort, workerData } from 'node:worker_threads'
import { isDeckError } from '../util/errors.js'
import type { RenderJob, RenderReply, WireError } from './ahead.js'
import { renderDeck, type RenderContext } from './render.js'
import { renderSettingsOf } from './settings.js'
import { RenderCaches } from './caches.js'
import { ThemeRegistry } from './themes.js'

/* The render worker of RenderAhead: renders each deck of the job in turn and posts it back. */

function toWire(e: unknown): WireError {
  if (isDeckError(e)) {
    return {
      message: e.message,
      deck: { code: e.code, ...(e.location ? { location: e.location } : {}), ...(e.hint ? { hint: e.hint } : {}) },
    }
  }
  const error = e instanceof Error ? e : new Error(String(e))
  return { message: error.message, ...(error.stack ? { stack: error.stack } : {}) }
}

const job = workerData as RenderJob
const post = (reply: RenderReply) => parentPort!.postMessage(reply)

const themes = new ThemeRegistry(job.root)
let context: RenderContext | WireError
try {
  await themes.addProject(job.themeSets)
  context = { themes, caches: new RenderCaches(), ...renderSettingsOf(job) }
} catch (e) {
  context = toWire(e)
}
for (const file of job.files) {
  if ('message' in context) {
    post({ file, error: context })
    continue
  }
  try {
    post({ file, deck: await renderDeck(file, context) })
  } catch (e) {
    post({ file, error: toWire(e) })
  }
}
