import { describe, expect, it, jest } from '@jest/globals'
import { flag, flagsHelp, parseFlags } from '../src/flags.js'
import { type CacheSubject, populate, usingSubjects } from '../src/subjects.js'
import { cross, interleave } from '../src/workloads/interleave.js'
import { measureKeyed } from '../src/workloads/keyed.js'
import { measureOps } from '../src/workloads/measure.js'

const flags = {
  time: flag.int(1000, 'measured time, ms'),
  sizes: flag.ints([250, 500], 'sizes'),
  zipf: flag.number(0, 'exponent'),
  subjects: flag.names(['a', 'b'], 'subjects', { known: ['a', 'b', 'c'] }),
  strategies: flag.names(['lru'], 'strategies', { required: true }),
  clock: flag.clock(),
  format: flag.string('format', { choices: ['arc', 'lirs'] }),
  only: flag.string('only', { default: 'all' }),
  trace: flag.strings('trace file'),
}
const parse = (argv: string[]) => parseFlags(argv, flags, () => 'help text\n')

describe('parseFlags()', () => {
  it('parseFlags() fills in typed defaults', () => {
    expect(parse([])).toEqual({
      json: false,
      time: 1000,
      sizes: [250, 500],
      zipf: 0,
      subjects: ['a', 'b'],
      strategies: ['lru'],
      clock: 'cpu',
      format: undefined,
      only: 'all',
      trace: [],
    })
  })

  it('parseFlags() converts given values', () => {
    const v = parse(
      ['--time', '200', '--sizes', '1, 2,3', '--zipf', '0.99', '--subjects', 'c', '--clock', 'wall'].concat([
        '--format',
        'lirs',
        '--trace',
        'x',
        '--trace',
        'y',
        '--json',
      ]),
    )
    expect(v).toMatchObject({
      time: 200,
      sizes: [1, 2, 3],
      zipf: 0.99,
      subjects: ['c'],
      clock: 'wall',
      format: 'lirs',
      trace: ['x', 'y'],
      json: true,
    })
  })

  it('parseFlags() refuses bad values with a message naming the flag', () => {
    const cases: [string[], RegExp][] = [
      [['--time', '0'], /--time must be a positive integer, got '0'/],
      [['--time', '1.5'], /--time must be a positive integer/],
      [['--time', ''], /--time must be a positive integer/],
      [['--sizes', '1,x'], /--sizes must be a positive integer, got 'x'/],
      [['--sizes', ','], /--sizes must be a comma-separated list/],
      [['--zipf=-1'], /--zipf must be a number >= 0, got '-1'/],
      [['--zipf', 'x'], /--zipf must be a number >= 0/],
      [['--subjects', 'a,d'], /--subjects: unknown 'd' \(known: a, b, c\)/],
      [['--strategies', ''], /--strategies must name at least one/],
      [['--clock', 'gpu'], /--clock must be cpu or wall, got 'gpu'/],
      [['--format', 'csv'], /--format must be one of arc, lirs, got 'csv'/],
      [['--nope', '1'], /nope/],
      [['positional'], /positional/],
    ]
    for (const [argv, message] of cases) expect(() => parse(argv)).toThrow(message)
    expect(() => parseFlags([], { trace: flag.strings('trace file', { required: true }) }, () => '')).toThrow(
      /--trace is required: trace file/,
    )
  })

  it('flag.subjects() always lists the baseline, first', () => {
    const spec = { subjects: flag.subjects(['base', 'x', 'y'], 'base') }
    expect(parseFlags([], spec, () => '')?.subjects).toEqual(['base', 'x', 'y'])
    expect(parseFlags(['--subjects', 'y'], spec, () => '')?.subjects).toEqual(['base', 'y'])
    expect(parseFlags(['--subjects', 'y,base'], spec, () => '')?.subjects).toEqual(['base', 'y'])
    expect(() => parseFlags(['--subjects', 'z'], spec, () => '')).toThrow(/unknown 'z'/)
  })

  it('parseFlags() answers --help with the help text and no values', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      expect(parse(['--help'])).toBeUndefined()
      expect(write).toHaveBeenCalledWith('help text\n')
    } finally {
      write.mockRestore()
    }
  })

  it('flagsHelp() lists every flag with its default, choices and known names', () => {
    const text = flagsHelp('demo', 'what it does', flags)
    expect(text).toContain('usage: bench demo [options]')
    expect(text).toMatch(/--time +measured time, ms \(default 1000\)/)
    expect(text).toMatch(/--sizes +sizes \(default 250,500\)/)
    expect(text).toMatch(/--subjects +subjects \[a,b,c\] \(default a,b\)/)
    expect(text).toMatch(/--format +format \[arc\|lirs\]\n/)
    expect(text).toMatch(/--json /)
  })
})

describe('interleave() and cross()', () => {
  it('interleave() measures every case once per run, rotating the order, and groups samples by case', async () => {
    const order: string[] = []
    const samples = await interleave(['a', 'b', 'c'], 4, async (c, run) => {
      order.push(c)
      return `${c}${run}`
    })
    expect(order.join('')).toBe('abcbcacababc')
    expect(samples).toEqual([
      ['a0', 'a1', 'a2', 'a3'],
      ['b0', 'b1', 'b2', 'b3'],
      ['c0', 'c1', 'c2', 'c3'],
    ])
  })

  it('cross() lists every combination, the first list outermost', () => {
    expect(cross([1, 2], ['x', 'y'])).toEqual([
      [1, 'x'],
      [1, 'y'],
      [2, 'x'],
      [2, 'y'],
    ])
    expect(cross([], [1])).toEqual([])
  })
})

describe('measureOps()', () => {
  it('measureOps() counts every call of the measured phase and keeps counting i across warm-up', async () => {
    const seen: number[] = []
    let started = -1
    const r = await measureOps((i) => seen.push(i), {
      timeMs: 5,
      warmupMs: 5,
      clock: 'wall',
      checkEvery: 10,
      onMeasureStart: () => {
        started = seen.length
      },
    })
    expect(started).toBeGreaterThan(0)
    expect(started % 10).toBe(0)
    expect(r.calls).toBe(seen.length - started)
    expect(r.calls % 10).toBe(0)
    expect(seen).toEqual(seen.map((_, i) => i))
    expect(r.elapsedMs).toBeGreaterThanOrEqual(5)
    expect(r.opsPerSec).toBeCloseTo((r.calls * 1000) / r.elapsedMs)
  })

  it('measureOps() runs concurrency callers from their own offsets, and at least minCalls each', async () => {
    const firsts = new Map<number, number>()
    let inFlight = 0
    let most = 0
    const r = await measureOps(
      async (i) => {
        const caller = Math.round(i / 7919)
        if (!firsts.has(caller)) firsts.set(caller, i)
        inFlight++
        most = Math.max(most, inFlight)
        await new Promise((resolve) => setImmediate(resolve))
        inFlight--
      },
      { timeMs: 1, clock: 'wall', concurrency: 3, checkEvery: 1, minCalls: 20 },
    )
    expect([...firsts.entries()].sort()).toEqual([
      [0, 0],
      [1, 7919],
      [2, 15838],
    ])
    expect(most).toBe(3)
    expect(r.calls).toBeGreaterThanOrEqual(60)
  })

  it("measureOps() awaits every result by default, and with awaitResults 'promises' only promises", async () => {
    // A microtask queued by the first call runs before the second call only if the loop awaited in between.
    const ticksSeen = async (awaitResults: 'always' | 'promises') => {
      let ticks = 0
      const seen: number[] = []
      await measureOps(
        () => {
          if (seen.length === 0) queueMicrotask(() => ticks++)
          seen.push(ticks)
          return seen.length === 3 ? Promise.resolve() : undefined
        },
        { timeMs: 0, clock: 'wall', checkEvery: 5, awaitResults },
      )
      return seen
    }
    expect(await ticksSeen('always')).toEqual([0, 1, 1, 1, 1])
    expect(await ticksSeen('promises')).toEqual([0, 0, 0, 1, 1])
  })
})

describe('populate(), usingSubjects() and measureKeyed()', () => {
  function mapSubject(name: string, log: string[]): CacheSubject & { map: Map<string, unknown> } {
    const map = new Map<string, unknown>()
    return {
      name,
      map,
      get: async (k) => map.get(k),
      set: async (k, v) => map.set(k, v),
      close: async () => {
        log.push(`close ${name}`)
      },
    }
  }

  it('populate() writes valueFor(i) under every key, inside bulk() when the subject has one', async () => {
    const log: string[] = []
    const s = mapSubject('s', log)
    const keys = Array.from({ length: 600 }, (_, i) => `k${i}`)
    await populate(s, keys, (i) => i * 2)
    expect(s.map.size).toBe(600)
    expect(s.map.get('k599')).toBe(1198)
    const bulked = Object.assign(mapSubject('b', log), {
      bulk: async (fill: () => Promise<void>) => {
        log.push('begin')
        await fill()
        log.push('commit')
      },
    })
    await populate(bulked, keys, () => 1)
    expect(bulked.map.size).toBe(600)
    expect(log).toEqual(['begin', 'commit'])
  })

  it('usingSubjects() prepares each subject, runs the body, and closes every subject built even on error', async () => {
    const log: string[] = []
    await usingSubjects(
      [async () => mapSubject('a', log), async () => mapSubject('b', log)],
      async (s) => {
        log.push(`prepare ${s.name}`)
      },
      async (all) => {
        log.push(`body ${all.map((s) => s.name).join(',')}`)
      },
    )
    expect(log).toEqual(['prepare a', 'prepare b', 'body a,b', 'close a', 'close b'])
    log.length = 0
    await expect(
      usingSubjects(
        [async () => mapSubject('a', log), async () => Promise.reject(new Error('no server'))],
        async () => undefined,
        async () => undefined,
      ),
    ).rejects.toThrow('no server')
    expect(log).toEqual(['close a'])
  })

  it("measureKeyed() counts the hits of 'get' and writes valueFor(k) with 'set'", async () => {
    const s = mapSubject('s', [])
    const keys = ['k0', 'k1', 'k2', 'k3']
    await populate(s, keys.slice(0, 2), () => 'v')
    const sequence = Uint32Array.from([0, 1, 2, 3])
    const gets = await measureKeyed(s, 'get', keys, sequence, () => 0, {
      timeMs: 1,
      clock: 'wall',
      checkEvery: 4,
    })
    expect(gets.calls % 4).toBe(0)
    expect(gets.hits).toBe(gets.calls / 2)
    await measureKeyed(s, 'set', keys, sequence, (k) => `value ${k}`, {
      timeMs: 1,
      clock: 'wall',
      checkEvery: 4,
    })
    expect(s.map.get('k3')).toBe('value 3')
  })
})
