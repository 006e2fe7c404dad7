import { readdirSync, readFileSync } from 'node:fs'

/** Every live descendant of `root`, by parent pid (Chromium starts its children from a launcher thread). */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (fields[0] !== 'Z') parent.set(Number(name), Number(fields[1]))
    } catch {
      // Gone between the listing and the read.
    }
  }
  const out: number[] = []
  for (let todo = [root]; todo.length;) {
    const next = [...parent].filter(([, ppid]) => todo.includes(ppid)).map(([pid]) => pid)
    out.push(...next)
    todo = next
  }
  return out
}

/** A process's command line with spaces for NULs, or '' once it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')
  } catch {
    return ''
  }
}

/** Whether `pid` still runs (a zombie waiting for its parent does not). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}
