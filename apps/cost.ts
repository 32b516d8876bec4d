// What one unit of each program's work costs, so that `compute(units)` declares time honestly.
//
// compute() takes reference nanoseconds: the time the work takes on the reference machine (this project's
// 2-core development and CI machine, Node 20). Each program counts its work in its own natural unit and
// multiplies by the measured cost of that unit here. Measured with `ssp bench apps`, whose realNsPerUnit
// should then read about 1 on the reference machine (it includes each worker's own reads and writes through
// the client cache, which is real work on the worker too). The simulator's profiles say how fast a machine
// is relative to the reference (computeUnitsPerSec = 1e9 for the reference's speed).

/** Reference ns per natural unit of work. */
export const REFERENCE_NS_PER_UNIT = {
  /** LDA: one topic weighed for one token (tokens × topics). */
  lda: 45,
  /** MF: one rank component of one rating's SGD step (ratings × rank); mostly per-rating overhead. */
  mf: 850,
  /** Lasso: one non-zero of X touched by a coordinate update. */
  lasso: 270,
  /** Logistic regression: one non-zero of x visited (twice per feature: margin and gradient). */
  logreg: 70,
} as const;
