import { codecComplianceSuite } from '@tierstack/test-suite'
import { lz4 } from '../src/index.js'

// A bare LZ4 block has no checksum: a flipped literal byte decodes to other bytes (never anything but
// E_DECODE otherwise); tamper-evidence comes from putting aesGcm() after it.
codecComplianceSuite('lz4', () => lz4(), { detectsCorruption: false })
codecComplianceSuite('lz4 (minBytes 0)', () => lz4({ minBytes: 0 }), { detectsCorruption: false })
