import { createHash } from 'node:crypto'
import type { RedisClient } from './connection.js'

/** A Lua script run with EVALSHA, falling back to EVAL once per node when the script cache misses. */
export interface LuaScript {
  readonly source: string
  readonly sha: string
}

/** Builds a script descriptor (the SHA-1 is computed once). */
export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

/**
 * Runs `script` on the node that owns `keys` (all keys must share a slot). Uses EVALSHA and falls back to
 * EVAL on NOSCRIPT (a fresh node, a failover, SCRIPT FLUSH), so nothing has to be loaded up front and the
 * client passed in by the user is not modified (no `defineCommand`).
 */
export async function runScript(
  client: RedisClient,
  script: LuaScript,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args)
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
      return client.eval(script.source, keys.length, ...keys, ...args)
    }
    throw err
  }
}

/**
 * Adds a member to a tag set and keeps the set alive exactly as long as its longest-lived member:
 * KEYS[1] = tag set, ARGV[1] = member, ARGV[2] = member TTL in ms (0 = no expiry).
 * A set that holds a member without expiry stays persistent; otherwise its TTL only ever grows.
 */
export const TAG_ADD = luaScript(`
local created = redis.call('EXISTS', KEYS[1]) == 0
redis.call('SADD', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl == 0 then
  redis.call('PERSIST', KEYS[1])
elseif created then
  redis.call('PEXPIRE', KEYS[1], ttl)
else
  local cur = redis.call('PTTL', KEYS[1])
  if cur >= 0 and cur < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
end
return 1
`)

/** Deletes KEYS[1] if it still holds the token ARGV[1]. Returns 1 when it did. */
export const LOCK_RELEASE = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

/** Sets the TTL of KEYS[1] to ARGV[2] ms if it still holds the token ARGV[1]. Returns 1 when it did. */
export const LOCK_EXTEND = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`)
