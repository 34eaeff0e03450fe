import { serializerComplianceSuite } from '@tierstack/test-suite'
import { msgpack } from '../src/index.js'

// Issue 6: 10,000 random and mutated inputs give a value or E_DECODE. Most short byte strings are valid
// MessagePack (any byte below 0x80 is a number), so only half need be refused. The corpus adds what the
// suite does not know: undefined, and a BigInt beyond 64 bits as a Map value.
serializerComplianceSuite('msgpack', () => msgpack(), {
  circular: false,
  fuzzInputs: 10_000,
  fuzzSeed: 0x6d736770,
  fuzzMinRefused: 0.5,
  fuzzValues: [
    { id: 1, name: 'x', list: [1, 2, 3], nested: { d: new Date(0) } },
    new Map<unknown, unknown>([
      ['a', new Set([1, 2])],
      [2, { b: 3n ** 50n }],
    ]),
    [Buffer.from('abc'), new Uint8Array([1, 2]), 'text', 1.5, null, undefined],
  ],
})
