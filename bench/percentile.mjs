// Percentiles of the bench scripts' distributions.

/** The nearest-rank percentile of sorted values; NaN for none. */
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
