import { describe, it } from '@jest/globals'

/** What every check of every suite has: a group (a `describe` block), a name (an `it`), and a body. */
export interface NamedCheck<TContext> {
  readonly group: string
  readonly name: string
  run(ctx: TContext): void | Promise<void>
}

/**
 * Registers `describe(title)` with one nested `describe` per check group (in first-seen order) and calls
 * `body` inside each with that group's checks, so a suite only says how one check becomes an `it`.
 */
export function describeGroups<TCheck extends { readonly group: string }>(
  title: string,
  checks: readonly TCheck[],
  body: (checks: readonly TCheck[]) => void,
): void {
  const groups = new Map<string, TCheck[]>()
  for (const c of checks) groups.set(c.group, [...(groups.get(c.group) ?? []), c])
  describe(title, () => {
    for (const [group, list] of groups) describe(group, () => body(list))
  })
}

/**
 * Registers every check as an `it` that runs it on a fresh context from `context()`, grouped as
 * {@link describeGroups} does, titled `check.title(options)` where a check has one, else `check.name`. For
 * suites whose context needs no teardown (codecs, serializers, strategies).
 */
export function registerChecks<TOptions extends { timeoutMs?: number }, TContext>(
  title: string,
  checks: readonly (NamedCheck<TContext> & { readonly title?: (options: TOptions) => string })[],
  options: TOptions,
  context: () => TContext,
): void {
  describeGroups(title, checks, (list) => {
    for (const c of list) {
      it(c.title?.(options) ?? c.name, async () => c.run(context()), options.timeoutMs ?? 30_000)
    }
  })
}

/** The check given, or the one of `checks` named so; throws `no <kind> check named '…'` otherwise. */
export function findCheck<TCheck extends { readonly name: string }>(
  checks: readonly TCheck[],
  check: TCheck | string,
  kind: string,
): TCheck {
  const found = typeof check === 'string' ? checks.find((c) => c.name === check) : check
  if (found === undefined) throw new Error(`no ${kind} check named '${String(check)}'`)
  return found
}
