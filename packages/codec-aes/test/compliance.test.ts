import { randomBytes } from 'node:crypto'
import { codecComplianceSuite } from '@tierstack/test-suite'
import { aesGcm } from '../src/index.js'

const keys = { k1: randomBytes(32), k2: randomBytes(32).toString('base64') }

codecComplianceSuite('aes-256-gcm', () => aesGcm({ keys, current: 'k2' }), { bindsKey: true })
