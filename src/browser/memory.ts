import v8 from 'node:v8'
import vm from 'node:vm'

let gc: (() => void) | null | undefined

/**
 * A full garbage collection of this process's heap. Each slide picture arrives over the
 * DevTools socket as a base64 string; V8 leaves hundreds of them uncollected while the heap may
 * still grow, so a big deck's build would otherwise hold most of them by its last shot.
 * `--expose-gc` set at run time gives a `gc` function to new contexts only, hence the context.
 * Without it (a runtime that refuses the flag) this does nothing.
 */
export function collectNodeGarbage(): void {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc')
      gc = vm.runInNewContext('gc') as () => void
    } catch {
      gc = null
    }
  }
  gc?.()
}
