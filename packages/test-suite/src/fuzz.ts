import { sameBytes, seededRandom } from './entries.js'

/** Seed of the suites' fuzz checks unless `fuzzSeed` says otherwise. */
export const DEFAULT_FUZZ_SEED = 2024

/** Options of {@link fuzzBytes}. */
export interface FuzzBytesOptions {
  /** How many inputs to generate. */
  count: number
  /** Seed of the generator: the same seed and corpus give the same inputs, so a failure can be replayed. */
  seed: number
  /** Longest random input, in bytes (lengths are skewed towards short ones). @default 512 */
  maxRandomBytes?: number
}

/** One input of {@link fuzzBytes}: the bytes, and the corpus entry they were mutated from (if any). */
export interface FuzzInput {
  /** Index of the input, 0-based (quote it with the seed to reproduce a failure). */
  readonly index: number
  readonly bytes: Uint8Array
  /** Index into the corpus of the valid input these bytes were mutated from; `undefined` for random bytes. */
  readonly from: number | undefined
}

/**
 * Seeded fuzz inputs for a decoder, half random and half mutated valid inputs:
 *
 * - even indices: random bytes, of a length skewed towards short ones (`rand² × maxRandomBytes`); a third of
 *   them start with the first 1–16 bytes of a corpus entry, so they get past a format's magic bytes or length
 *   header and into its body;
 * - odd indices: a copy of a corpus entry (taken in turn) with 1–4 bytes changed at random positions (never
 *   identical to the entry), and in 30 % of cases cut short at a random length.
 *
 * The corpus holds valid inputs (what the encoder produces); with an empty corpus every input is random.
 *
 * @example
 *   for (const { index, bytes } of fuzzBytes([codec.encode(sample, ctx)], { count: 10_000, seed: 7 })) …
 */
export function* fuzzBytes(corpus: readonly Uint8Array[], options: FuzzBytesOptions): Generator<FuzzInput> {
  const rand = seededRandom(options.seed)
  const byte = () => Math.floor(rand() * 256)
  const maxRandom = options.maxRandomBytes ?? 512
  for (let i = 0; i < options.count; i++) {
    if (i % 2 === 0 || corpus.length === 0) {
      const out = new Uint8Array(Math.floor(rand() ** 2 * maxRandom))
      for (let j = 0; j < out.length; j++) out[j] = byte()
      if (i % 3 === 0 && corpus.length > 0) {
        const valid = corpus[Math.floor(rand() * corpus.length)]!
        const n = Math.min(out.length, valid.length, 1 + Math.floor(rand() * 16))
        out.set(valid.subarray(0, n))
      }
      yield { index: i, bytes: out, from: undefined }
    } else {
      const from = (i >> 1) % corpus.length
      const base = corpus[from]!
      const out = Uint8Array.from(base)
      const edits = 1 + Math.floor(rand() * 4)
      for (let e = 0; e < edits && out.length > 0; e++) {
        const at = Math.floor(rand() * out.length)
        out[at] = out[at]! ^ (1 + Math.floor(rand() * 255))
      }
      // Two edits of one byte can cancel out: a mutated input is never the valid one.
      if (out.length > 0 && sameBytes(out, base)) out[0] = out[0]! ^ 0xff
      const bytes = rand() < 0.3 ? out.subarray(0, Math.floor(rand() * out.length)) : out
      yield { index: i, bytes, from }
    }
  }
}

/** The first `max` bytes of `bytes` as hex, with `…` when cut, for failure messages. */
export function hexPreview(bytes: Uint8Array, max = 64): string {
  const shown = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, max)).toString('hex')
  return bytes.byteLength > max ? `${shown}…` : shown
}

/** `'10,000 seeded random and mutated inputs (seed 42)'`: how a suite titles its fuzz check. */
export function fuzzLabel(options: { fuzzInputs?: number; fuzzSeed?: number }): string {
  const count = (options.fuzzInputs ?? 2_000).toLocaleString('en-US')
  return `${count} seeded random and mutated inputs (seed ${options.fuzzSeed ?? DEFAULT_FUZZ_SEED})`
}
