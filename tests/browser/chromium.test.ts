import { readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { BrowserManager } from '../../src/browser/manager.js'
import { findBrowser } from '../../src/browser/find.js'
import { spawnChromium } from '../../src/browser/spawn.js'
import { collectGarbage } from '../../src/browser/page.js'
import { commandLine, descendants } from '../helpers/processes.js'

/** Our own Chromium process: started without a blank tab, driven over CDP, gone without a trace. */
const groupAlive = (pid: number): boolean => {
  try {
    return process.kill(-pid, 0)
  } catch {
    return false
  }
}
/** Killed processes linger for a moment until their parents are reaped; allow them that. */
async function gone(pid: number): Promise<boolean> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    if (!groupAlive(pid)) return true
  }
  return false
}
const profiles = () => readdirSync(os.tmpdir()).filter((d) => d.startsWith('deck-chromium-'))

describe('the Chromium process', () => {
  it('starts with no window, serves pages, and on close leaves no process and no profile folder', async () => {
    const before = new Set(profiles())
    const manager = new BrowserManager({ timeoutMs: 30_000 })
    // A failed assertion must not leave this Chromium running (close is safe to call twice).
    onTestFinished(() => manager.close())
    const browser = await manager.browser()
    expect(await browser.pages()).toEqual([])
    const pid = manager.pidOf(browser)!
    expect(groupAlive(pid)).toBe(true)
    // Its profile, from its command line: other test files start browsers at the same time.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    const dir = cmdline.find((a) => a.startsWith('--user-data-dir='))?.slice('--user-data-dir='.length) ?? ''
    const mine = profiles().filter((d) => !before.has(d) && path.join(os.tmpdir(), d) === dir)
    expect(mine).toHaveLength(1)

    const text = await manager.withPage(async (page) => {
      await page.setContent('<p>hello</p>')
      return page.$eval('p', (p) => p.textContent)
    })
    expect(text).toBe('hello')

    await manager.close()
    expect(await gone(pid)).toBe(true)
    expect(profiles()).not.toContain(mine[0])
  })

  it("collects a page's garbage on request (done after the page checks, before the shots)", async () => {
    const manager = new BrowserManager({ timeoutMs: 30_000 })
    try {
      await manager.withPage(async (page) => {
        const session = await page.createCDPSession()
        const used = async () => (await session.send('Runtime.getHeapUsage')).usedSize
        // ~80 MB of arrays that nothing refers to once the function returns.
        await page.evaluate(() => {
          const junk: number[][] = []
          for (let i = 0; i < 100; i += 1) junk.push(new Array(100_000).fill(i + 0.5))
          return junk.length
        })
        const before = await used()
        await collectGarbage(page)
        const after = await used()
        expect(before - after).toBeGreaterThan(40 * 2 ** 20)
        await session.detach()
      })
    } finally {
      await manager.close()
    }
  })

  it('blocks and records every request that would leave the machine, with the network service in the browser process', async () => {
    const manager = new BrowserManager({ timeoutMs: 30_000 })
    try {
      await manager.withPage(async (page) => {
        await page.setContent(
          '<img src="http://192.0.2.1/a.png"><img src="https://example.com/b.png"><img src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==">',
          { waitUntil: 'load' },
        )
        // Only the data: image loaded.
        expect(await page.evaluate(() => [...document.images].map((i) => i.naturalWidth))).toEqual([0, 0, 1])
      })
      expect([...manager.blockedRequests].sort()).toEqual(['http://192.0.2.1/a.png', 'https://example.com/b.png'])
      // NetworkServiceInProcess2 is on: no utility process runs the network service.
      const commands = descendants(manager.pidOf(await manager.browser())!).map(commandLine)
      expect(commands.some((c) => c.includes('--type=gpu-process'))).toBe(true) // the walk does find Chromium's children
      expect(commands.filter((c) => c.includes('network.mojom.NetworkService'))).toEqual([])
    } finally {
      await manager.close()
    }
  })

  it('reports a browser that exits at start, and cleans up after it', async () => {
    const before = new Set(profiles())
    // `false` exits at once without a DevTools endpoint, as a broken browser install would.
    await expect(spawnChromium('/bin/false', 10_000)).rejects.toThrow(/exited at start/)
    expect(profiles().filter((d) => !before.has(d))).toEqual([])
  })

  it('finds a browser on this machine', () => {
    expect(findBrowser()).toMatch(/chrom/i)
  })
})
