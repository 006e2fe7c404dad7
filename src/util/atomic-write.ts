import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import path from 'node:path'

/**
 * Temp files and folders in use. A process that exits meanwhile (Ctrl-C, SIGTERM, an error that
 * ends it) removes them on its way out, when its entry point calls `removeLeftovers` from an
 * exit hook (the CLI does; library code installs no process hooks).
 */
const inUse = new Set<string>()

/** Track `file` (a file or a folder) until the returned function is called. */
export function removeOnExit(file: string): () => void {
  inUse.add(file)
  return () => void inUse.delete(file)
}

/** Remove every temp file and folder still in use; synchronous, for an exit hook. */
export function removeLeftovers(): void {
  for (const f of inUse) rmSync(f, { recursive: true, force: true })
  inUse.clear()
}

/**
 * Write a file so that no reader ever sees half of it: write a temp file in the same folder,
 * flush it, then rename it over the target (atomic on one filesystem). On failure the temp file
 * is removed and the previous output stays as it was.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file)
  await mkdir(dir, { recursive: true })
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
  const written = removeOnExit(tmp)
  try {
    const handle = await open(tmp, 'w')
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, file)
  } catch (e) {
    await rm(tmp, { force: true })
    throw e
  } finally {
    written()
  }
}
