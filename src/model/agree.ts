// The agreement rule for two computations that should give the same numbers (the fast engine and the mathjs
// reference, an engine and a float64 oracle, a student's answer and the solution): per entry
// |a − b| ≤ tol · max(1, |a| + |b|), an absolute rule near zero and a relative one for large values.

/** Whether a and b agree to `tol` under the rule above. */
export function close(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a) + Math.abs(b));
}

/** How far past the rule: |a − b| / (tol · max(1, |a| + |b|)); at most 1 when they agree. */
export function closeness(a: number, b: number, tol: number): number {
  return Math.abs(a - b) / (tol * Math.max(1, Math.abs(a) + Math.abs(b)));
}
