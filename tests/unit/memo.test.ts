import { describe, expect, it } from 'vitest'
import { memo, memoByKey } from '../../src/util/memo.js'

describe('memo: one rule for every kept result', () => {
  it('makes the value once and shares it; a failure is forgotten so the next call tries again', async () => {
    let calls = 0
    const flaky = memo(async () => {
      calls += 1
      if (calls === 1) throw new Error('not yet')
      return calls
    })
    await expect(flaky()).rejects.toThrow('not yet')
    expect(await flaky()).toBe(2)
    expect(await flaky()).toBe(2)
    expect(calls).toBe(2)
  })

  it('by key: one value per key, at most `limit` keys (the oldest goes), clear() empties it', async () => {
    const made: string[] = []
    const lookup = memoByKey(
      async (arg: { name: string }) => (made.push(arg.name), arg.name.toUpperCase()),
      (arg) => arg.name,
      2,
    )
    expect(await lookup({ name: 'a' })).toBe('A')
    expect(await lookup({ name: 'a' })).toBe('A')
    await lookup({ name: 'b' })
    await lookup({ name: 'c' })
    expect(lookup.size).toBe(2)
    await lookup({ name: 'a' })
    expect(made).toEqual(['a', 'b', 'c', 'a'])
    lookup.clear()
    expect(lookup.size).toBe(0)
  })
})
