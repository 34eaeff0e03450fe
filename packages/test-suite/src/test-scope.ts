import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from '@jest/globals'

/** What a test opened and must release: a tier, a cache, a database connection. */
export interface Closable {
  close(): unknown
}

/** The per-test resources of {@link testScope}. */
export interface TestScope {
  /** The running test's own temporary directory (throws outside a test). */
  readonly dir: string
  /** `dir/name`; without a name, a new `file-N` in `dir` on each call. */
  path(name?: string): string
  /** Closes `resource` after the test (awaited, in the order tracked), before `dir` is removed; returns it. */
  track<TResource extends Closable>(resource: TResource): TResource
  /** Runs `fn` after the test, before the tracked resources are closed (kill a child process, end a lock). */
  defer(fn: () => unknown): void
}

/**
 * Registers `beforeEach` / `afterEach` hooks giving every test of the file a fresh temporary directory and a
 * list of resources to release: after each test the deferred functions run, then the tracked resources are
 * closed, then the directory is removed — so a test never leaks an open SQLite file or a cache timer into the
 * next one, even when it fails. Call it once, at the top of a test file.
 *
 * @example
 *   const scope = testScope('tier-sqlite-')
 *   const tier = () => scope.track(sqliteTier({ path: scope.path('cache.db') }))
 */
export function testScope(prefix = 'tierstack-test-'): TestScope {
  let dir: string | undefined
  let files = 0
  let deferred: (() => unknown)[] = []
  let tracked: Closable[] = []
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix))
    files = 0
  })
  afterEach(async () => {
    const [fns, resources, current] = [deferred, tracked, dir]
    deferred = []
    tracked = []
    dir = undefined
    try {
      for (const fn of fns) await fn()
      for (const r of resources) await r.close()
    } finally {
      if (current !== undefined) rmSync(current, { recursive: true, force: true })
    }
  })
  const scope: TestScope = {
    get dir() {
      if (dir === undefined) throw new Error('testScope(): dir is only available while a test runs')
      return dir
    },
    path: (name) => join(scope.dir, name ?? `file-${files++}`),
    track(resource) {
      tracked.push(resource)
      return resource
    },
    defer(fn) {
      deferred.push(fn)
    },
  }
  return scope
}
