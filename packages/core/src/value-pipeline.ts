import type { Codec, CodecContext, Serializer, StoredEntry } from './contracts.js'
import {
  type AppliedCodec,
  decodeEnvelope,
  type EnvelopeHeader,
  encodeEnvelope,
  plainPayloadOffset,
  readF64,
} from './envelope.js'
import { CacheError, isCacheError } from './errors.js'
import { JsonSerializer } from './json-serializer.js'
import { NO_TAGS } from './validate.js'

/** Codecs and serializers a reader may meet in stored entries, by id. */
export class CodecRegistry {
  readonly #codecs = new Map<string, Codec>()
  readonly #serializers = new Map<string, Serializer>()

  addCodec(codec: Codec): void {
    if (!this.#codecs.has(codec.id)) this.#codecs.set(codec.id, codec)
  }

  addSerializer(serializer: Serializer): void {
    if (!this.#serializers.has(serializer.id)) this.#serializers.set(serializer.id, serializer)
  }

  codec(id: string): Codec | undefined {
    return this.#codecs.get(id)
  }

  serializer(id: string): Serializer | undefined {
    return this.#serializers.get(id)
  }
}

/**
 * serialize → codecs (compression, then encryption) → envelope, and back. One instance per namespace
 * (its serializer and write chain); decoding goes by the ids recorded in each entry, so entries written
 * under an older configuration stay readable while their codecs are registered.
 */
export class ValuePipeline {
  /** UTF-8 bytes of the write serializer's id, matched in place against stored envelopes. */
  readonly #serializerId: Uint8Array
  /**
   * The registry's reader for that id (`null`: not looked up yet). The registry keeps the first serializer
   * added for an id and never replaces it, so the answer can be kept.
   */
  #reader: Serializer | undefined | null = null

  constructor(
    readonly serializer: Serializer,
    readonly codecs: Codec[],
    readonly registry: CodecRegistry,
  ) {
    this.#serializerId = new TextEncoder().encode(serializer.id)
  }

  /** Serializes only (used to validate a value before anything is written). */
  serialize(value: unknown): Uint8Array {
    try {
      return this.serializer.serialize(value)
    } catch (err) {
      if (isCacheError(err, 'E_SERIALIZE')) throw err
      throw new CacheError('E_SERIALIZE', `cannot serialize value: ${(err as Error)?.message ?? err}`, {
        cause: err,
      })
    }
  }

  async encode(fullKey: string, entry: StoredEntry, serialized: Uint8Array): Promise<Uint8Array> {
    let bytes = serialized
    const applied: AppliedCodec[] = []
    for (const codec of this.codecs) {
      const ctx: CodecContext = { key: fullKey, param: '', skipped: false }
      const out = await codec.encode(bytes, ctx)
      if (ctx.skipped) continue
      bytes = out
      applied.push({ id: codec.id, param: ctx.param })
    }
    return encodeEnvelope(
      {
        createdAt: entry.createdAt,
        expiresAt: entry.expiresAt,
        staleUntil: entry.staleUntil,
        tags: entry.tags,
        serializer: this.serializer.id,
        codecs: applied,
      },
      bytes,
    )
  }

  /**
   * Envelope bytes → live entry. Throws `E_DECODE` for anything it cannot read. Synchronous unless a codec's
   * `decode` returns a promise: a remote hit should not pay for microtask hops it does not need.
   */
  decode(fullKey: string, envelope: Uint8Array): StoredEntry | Promise<StoredEntry> {
    // Most remote hits are entries this namespace wrote itself with no codec and no tag: read those in place.
    const start = envelope instanceof Uint8Array ? plainPayloadOffset(envelope, this.#serializerId) : -1
    if (start > 0) {
      const createdAt = readF64(envelope, 4)
      const expiresAt = readF64(envelope, 12)
      const staleUntil = readF64(envelope, 20)
      if (!Number.isNaN(createdAt) && !Number.isNaN(expiresAt) && staleUntil >= expiresAt) {
        if (this.#reader === null) this.#reader = this.registry.serializer(this.serializer.id)
        const reader = this.#reader
        if (reader !== undefined) {
          return {
            value: deserializeAt(reader, envelope, start, fullKey),
            createdAt,
            expiresAt,
            staleUntil,
            // The frozen shared empty list untagged writes use: no array per hit.
            tags: NO_TAGS,
          }
        }
      }
    }
    const { header, payload } = decodeEnvelope(envelope)
    return this.#unwrap(fullKey, header, payload, header.codecs.length - 1)
  }

  #unwrap(
    fullKey: string,
    header: EnvelopeHeader,
    bytes: Uint8Array,
    from: number,
  ): StoredEntry | Promise<StoredEntry> {
    for (let i = from; i >= 0; i--) {
      const applied = header.codecs[i]!
      const codec = this.registry.codec(applied.id)
      if (codec === undefined) {
        throw new CacheError(
          'E_DECODE',
          `entry '${fullKey}' was written with codec '${applied.id}', which is not configured (add it to decoders)`,
        )
      }
      let out: Uint8Array | Promise<Uint8Array>
      try {
        out = codec.decode(bytes, { key: fullKey, param: applied.param, skipped: false })
      } catch (err) {
        throw decodeFailure(err, `codec '${applied.id}' cannot decode entry '${fullKey}'`)
      }
      if (out instanceof Promise) {
        return out.then(
          (b) => this.#unwrap(fullKey, header, b, i - 1),
          (err: unknown) => {
            throw decodeFailure(err, `codec '${applied.id}' cannot decode entry '${fullKey}'`)
          },
        )
      }
      bytes = out
    }
    const serializer = this.registry.serializer(header.serializer)
    if (serializer === undefined) {
      throw new CacheError(
        'E_DECODE',
        `entry '${fullKey}' was written with serializer '${header.serializer}', which is not configured`,
      )
    }
    return {
      value: deserializeWith(serializer, bytes, fullKey),
      createdAt: header.createdAt,
      expiresAt: header.expiresAt,
      staleUntil: header.staleUntil,
      tags: header.tags,
    }
  }
}

/** `deserializeWith(serializer, bytes.subarray(start))`, without the view for the built-in JSON serializer. */
function deserializeAt(serializer: Serializer, bytes: Uint8Array, start: number, fullKey: string): unknown {
  if (!(serializer instanceof JsonSerializer))
    return deserializeWith(serializer, bytes.subarray(start), fullKey)
  try {
    return serializer.deserializeAt(bytes, start)
  } catch (err) {
    throw decodeFailure(err, `serializer '${serializer.id}' cannot read entry '${fullKey}'`)
  }
}

function deserializeWith(serializer: Serializer, bytes: Uint8Array, fullKey: string): unknown {
  try {
    return serializer.deserialize(bytes)
  } catch (err) {
    throw decodeFailure(err, `serializer '${serializer.id}' cannot read entry '${fullKey}'`)
  }
}

function decodeFailure(err: unknown, message: string): CacheError {
  return isCacheError(err, 'E_DECODE') ? err : new CacheError('E_DECODE', message, { cause: err })
}
