import { accessSync, constants, existsSync } from 'node:fs'
import { DeckError, ExitCode } from '../util/errors.js'

/**
 * Where a Chromium-family browser usually lives. `CHROME_PATH` (or --browser-path) wins; then
 * the usual install paths of Chromium, Chrome and Edge on Linux, macOS and Windows.
 *
 * Debian's `chromium-headless-shell` (Chromium's headless-only build, the one puppeteer calls
 * "shell") comes first: it renders with the same Blink and Skia, and it starts and takes its
 * screenshots faster, because it has no browser UI layer to run. `npm run setup` installs it
 * next to Chromium.
 */
const CANDIDATES: Record<string, string[]> = {
  linux: [
    '/usr/bin/chromium-headless-shell',
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/google-chrome',
    '/opt/google/chrome/chrome',
    '/usr/bin/microsoft-edge-stable',
    '/usr/bin/microsoft-edge',
    '/opt/microsoft/msedge/msedge',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  ],
  win32: [
    `${process.env['PROGRAMFILES'] ?? 'C:\\Program Files'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)'}\\Microsoft\\Edge\\Application\\msedge.exe`,
  ],
}

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, process.platform === 'win32' ? constants.F_OK : constants.X_OK)
    return true
  } catch {
    return false
  }
}

export const NO_BROWSER_HINT =
  "Install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`; in this project's own repository, `npm run setup`), " +
  'or point CHROME_PATH (or --browser-path) at a Chrome, Chromium or Edge executable.'

export function findBrowser(explicit?: string): string {
  const wanted = explicit ?? process.env['CHROME_PATH']
  if (wanted) {
    if (isExecutable(wanted)) return wanted
    throw new DeckError(`browser not found at ${wanted}`, { code: ExitCode.NO_BROWSER, hint: NO_BROWSER_HINT })
  }
  const found = (CANDIDATES[process.platform] ?? []).find(isExecutable)
  if (found) return found
  throw new DeckError('no Chrome, Chromium or Edge found; PDF, PPTX, PNG and lint need one (HTML does not)', {
    code: ExitCode.NO_BROWSER,
    hint: NO_BROWSER_HINT,
  })
}

/** Chromium's sandbox does not work as root or in most containers; only then do we turn it off. */
export function needsNoSandbox(): boolean {
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  return root || existsSync('/.dockerenv') || existsSync('/run/.containerenv')
}
