import { type CodecSuiteOptions, codecComplianceSuite } from '@tierstack/test-suite'
import { gzip } from '../src/index.js'

// Issue 6: every decoder survives 10,000 random and mutated inputs with E_DECODE alone. The CRC-32 catches
// nearly all damage; a changed header byte the format ignores (mtime, OS) may still decode to the same bytes.
const fuzz: CodecSuiteOptions = { fuzzInputs: 10_000, fuzzSeed: 0x677a6970, fuzzMinRefused: 0.95 }

codecComplianceSuite('gzip', () => gzip(), fuzz)
codecComplianceSuite('gzip (minBytes 0, level 1)', () => gzip({ minBytes: 0, level: 1 }), fuzz)
codecComplianceSuite('gzip (thread pool)', () => gzip({ asyncMinBytes: 0 }), fuzz)
