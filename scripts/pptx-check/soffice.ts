import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type JSZip from 'jszip'

/** The Debian package that brings `soffice` without a desktop: what `.ci/run` and the install script add. */
export const LIBREOFFICE_PACKAGE = 'libreoffice-impress-nogui'

/** LibreOffice's `soffice`, or undefined when it is not installed. */
export function findSoffice(): string | undefined {
  const candidates = [
    process.env['SOFFICE_PATH'],
    '/usr/bin/soffice',
    '/usr/lib/libreoffice/program/soffice',
    '/opt/libreoffice/program/soffice',
    '/Applications/LibreOffice.app/Contents/MacOS/soffice',
  ]
  return candidates.find((c): c is string => !!c && existsSync(c))
}

/**
 * The fonts embedded in a PPTX (ppt/fonts/*.fntdata, EOT) as TrueType files in `dir`. LibreOffice
 * 7.x does not read a PPTX's embedded fonts (its import of p:embeddedFontLst came later), so the
 * check hands them to it through fontconfig: LibreOffice then shows the deck as PowerPoint does,
 * with the package's own fonts. Returns how many were written; MicroType-compressed or XOR'd
 * EOTs (which we never write) are skipped.
 */
export async function extractEmbeddedFonts(zip: JSZip, dir: string, prefix: string): Promise<number> {
  let n = 0
  for (const name of Object.keys(zip.files).filter((f) => /^ppt\/fonts\/[^/]+\.fntdata$/.test(f))) {
    const eot = Buffer.from(await zip.file(name)!.async('uint8array'))
    const eotSize = eot.readUInt32LE(0)
    const fontSize = eot.readUInt32LE(4)
    const flags = eot.readUInt32LE(12)
    if (eotSize !== eot.length || fontSize > eotSize || flags & 0x4 || flags & 0x10000000) continue
    await writeFile(path.join(dir, `${prefix}-${path.basename(name, '.fntdata')}.ttf`), eot.subarray(eotSize - fontSize))
    n += 1
  }
  return n
}

export interface ConvertOptions {
  /** Folder of extra TrueType fonts LibreOffice may use (see extractEmbeddedFonts). */
  fontDir?: string
  timeoutMs?: number
}

/**
 * Convert PPTX files to PDF with LibreOffice (`soffice --headless --convert-to pdf`), into
 * `outDir` under the same base names. One soffice for all files (it starts in ~2 s), with a
 * profile of its own in a temp folder (so parallel runs do not share, and so lock, a profile),
 * its own fontconfig when `fontDir` is given, killed with its process group after `timeoutMs`;
 * the profile is removed afterwards.
 */
export async function convertToPdf(soffice: string, files: string[], outDir: string, opts: ConvertOptions = {}): Promise<void> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'deck-soffice-'))
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: profile }
    if (opts.fontDir) {
      const conf = path.join(profile, 'fonts.conf')
      await mkdir(path.join(profile, 'fc-cache'), { recursive: true })
      await writeFile(
        conf,
        `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
          `  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n` +
          `  <dir>${opts.fontDir}</dir>\n  <cachedir>${path.join(profile, 'fc-cache')}</cachedir>\n</fontconfig>\n`,
      )
      env['FONTCONFIG_FILE'] = conf
    }
    const args = [
      `-env:UserInstallation=${pathToFileURL(path.join(profile, 'user')).href}`,
      '--headless',
      '--norestore',
      '--nologo',
      '--nolockcheck',
      '--convert-to',
      'pdf',
      '--outdir',
      outDir,
      ...files,
    ]
    await new Promise<void>((resolve, reject) => {
      const child = spawn(soffice, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
      let output = ''
      child.stdout.on('data', (d: Buffer) => (output += d.toString()))
      child.stderr.on('data', (d: Buffer) => (output += d.toString()))
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          // Already gone.
        }
        reject(new Error(`soffice did not finish within ${opts.timeoutMs ?? 180_000} ms:\n${output}`))
      }, opts.timeoutMs ?? 180_000)
      child.on('error', (e) => {
        clearTimeout(timer)
        reject(e)
      })
      child.on('exit', (code, signal) => {
        clearTimeout(timer)
        // soffice.bin may leave a helper in the group; nothing of it may outlive the conversion.
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          // No process left.
        }
        const missing = files.filter((f) => !existsSync(path.join(outDir, `${path.basename(f, path.extname(f))}.pdf`)))
        if (code === 0 && missing.length === 0) resolve()
        else reject(new Error(`soffice exited ${code ?? signal}; no PDF for ${missing.join(', ') || '-'}:\n${output}`))
      })
    })
  } finally {
    await rm(profile, { recursive: true, force: true })
  }
}
