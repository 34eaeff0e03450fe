import { type CodecSuiteOptions, codecComplianceSuite } from '@tierstack/test-suite'
import { lz4 } from '../src/index.js'

// A bare LZ4 block has no checksum: a changed literal byte decodes to other bytes (never anything but
// E_DECODE otherwise); tamper-evidence comes from putting aesGcm() after it. Issue 6: 10,000 fuzz inputs, of
// which the length header and block parser must still refuse three quarters.
const options: CodecSuiteOptions = {
  detectsCorruption: false,
  fuzzInputs: 10_000,
  fuzzSeed: 0x6c7a34,
  fuzzMinRefused: 0.75,
}

codecComplianceSuite('lz4', () => lz4(), options)
codecComplianceSuite('lz4 (minBytes 0)', () => lz4({ minBytes: 0 }), options)
