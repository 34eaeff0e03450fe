import { afterAll, beforeAll } from '@jest/globals'
import { tierComplianceSuite } from '@tierstack/test-suite'
import { redisClusterTier, redisTier } from '../src/index.js'
import {
  type RedisClusterHandle,
  type RedisServer,
  startCluster,
  startRedis,
} from './helpers/redis-server.js'

let server: RedisServer
let cluster: RedisClusterHandle

beforeAll(async () => {
  ;[server, cluster] = await Promise.all([startRedis(), startCluster()])
}, 60_000)

afterAll(async () => {
  await Promise.all([server?.stop(), cluster?.stop()])
})

tierComplianceSuite('redis (standalone)', () => redisTier({ url: server.url, prefix: 'compliance:' }))
tierComplianceSuite('redis (cluster)', () =>
  redisClusterTier({ nodes: cluster.nodes, prefix: 'compliance:' }),
)
