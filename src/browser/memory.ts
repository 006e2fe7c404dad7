import v8 from 'node:v8'
import vm from 'node:vm'

let gc: (() => void) | undefined

/**
 * Let this process collect its garbage on request (the CLI does; a library user's process keeps
 * V8's own settings, and collectNodeGarbage then does nothing). `--expose-gc` set at run time
 * gives a `gc` function to new contexts only, hence the context. A runtime that refuses the flag
 * leaves it off.
 */
export function allowNodeGarbageCollection(): void {
  try {
    v8.setFlagsFromString('--expose-gc')
    gc = vm.runInNewContext('gc') as () => void
  } catch {
    gc = undefined
  }
}

/**
 * A full garbage collection of this process's heap, when allowed. Each slide picture arrives over
 * the DevTools socket as a base64 string; V8 leaves hundreds of them uncollected while the heap
 * may still grow, so a big deck's build would otherwise hold most of them by its last shot.
 */
export function collectNodeGarbage(): void {
  gc?.()
}
