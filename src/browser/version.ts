import { execFile } from 'node:child_process'
import { realpath, stat } from 'node:fs/promises'
import { memoByKey } from '../util/memo.js'
import { findBrowser } from './find.js'

/*
 * Which browser a build would use, without starting it to render: `<executable> --version`
 * (70 ms for Debian's headless shell), so the build cache can tell whether the browser changed
 * without launching Chromium. Chrome on Windows prints nothing for --version; there the
 * executable's size stands in for its version.
 */

const versionOf = memoByKey(
  async (file: string): Promise<string> => {
    const printed = await new Promise<string>((resolve) =>
      execFile(file, ['--version'], { timeout: 10_000 }, (error, stdout) => resolve(error ? '' : String(stdout).trim())),
    )
    if (printed) return printed
    const info = await stat(await realpath(file).catch(() => file)).catch(() => undefined)
    return info ? `unknown (${info.size} bytes)` : 'unknown'
  },
  (file) => file,
  8,
)

/** The version line of the browser `explicit` (else CHROME_PATH, else the usual paths) names; `none` when there is none. */
export async function browserVersion(explicit?: string): Promise<string> {
  let file: string
  try {
    file = findBrowser(explicit)
  } catch {
    return 'none'
  }
  return versionOf(file)
}
