/**
 * Measures every case once per run, for `runs` runs, and returns the samples of each case (in `cases` order).
 * Runs are interleaved, so machine noise hits every case alike, and the order is rotated by one place each
 * run (run r starts with case r), so no case always runs right after the same one. With two cases that
 * alternates which goes first.
 */
export async function interleave<TCase, TSample>(
  cases: readonly TCase[],
  runs: number,
  measure: (c: TCase, run: number) => Promise<TSample>,
): Promise<TSample[][]> {
  const samples = cases.map(() => [] as TSample[])
  for (let run = 0; run < runs; run++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + run) % cases.length
      samples[i]!.push(await measure(cases[i]!, run))
    }
  }
  return samples
}

/** Every combination of the given lists, first list outermost: `cross([1, 2], ['a'])` → `[[1, 'a'], [2, 'a']]`. */
export function cross<A, B>(as: readonly A[], bs: readonly B[]): [A, B][] {
  return as.flatMap((a) => bs.map((b): [A, B] => [a, b]))
}
