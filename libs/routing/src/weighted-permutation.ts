/**
 * Weighted random permutation (Efraimidis–Spirakis): each item gets the key
 * u^(1/w) for a fresh uniform u, and items are sorted by key, largest first.
 * An item then comes first with probability w / Σw, and the rest of the order
 * follows the same rule among the remaining items. Items whose weight is not
 * positive (0, negative, NaN) come last, in random order among themselves.
 *
 * Draws exactly one `random()` per item, in input order, and none when there is
 * at most one item (so seeded callers get reproducible orders).
 *
 * Internal helper shared by `orderCandidates` and `orderWithHealth`.
 */
export function weightedPermutation<T>(items: readonly T[], weightOf: (item: T) => number, random: () => number): T[] {
  if (items.length <= 1) return [...items];
  const keyed = items.map((item) => {
    const weight = weightOf(item);
    return { item, key: weight > 0 ? Math.pow(random(), 1 / weight) : -1 + random() * 1e-9 };
  });
  keyed.sort((a, b) => b.key - a.key);
  return keyed.map(({ item }) => item);
}
