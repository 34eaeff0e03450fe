import { serializerComplianceSuite } from '@tierstack/test-suite'
import { msgpack } from '../src/index.js'

serializerComplianceSuite('msgpack', () => msgpack(), { circular: false })
