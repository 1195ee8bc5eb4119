/**
 * Pooling of sparse cells before a chi-square goodness-of-fit test. The chi-square distribution of Pearson's
 * statistic is an approximation that needs enough expected observations per cell; the textbook rule (Cochran) is
 * at least 5. scipy.stats.chisquare does not pool (it leaves this to the caller), so callers that want a valid test
 * pool first and then call `chiSquare` on the pooled table.
 *
 * Cells are pooled in the order given, so adjacent histogram bins stay adjacent: walking from the first cell, cells
 * are added to the open group until its expected count reaches `minExpected`; a remainder at the end that does not
 * reach it joins the last group. Every returned group then expects >= minExpected observations, unless the whole
 * table does not (then there is one group, and a chi-square over it has df 0 and p NaN). A cell expecting 0 (an
 * empty reference bin) is always pooled with a neighbour, so a pooled table never has an infinite statistic.
 */
export interface PooledCells {
  observed: number[];
  /** Expected counts, scaled so that they sum to the observed total. */
  expected: number[];
  /** Indices of the input cells in each pooled cell. */
  groups: number[][];
}

export const MIN_EXPECTED_PER_CELL = 5;

export function poolSparseCells(observed: readonly number[], reference: readonly number[], minExpected = MIN_EXPECTED_PER_CELL): PooledCells {
  if (observed.length !== reference.length) {
    throw new RangeError(`poolSparseCells: observed has ${observed.length} cells, reference ${reference.length}`);
  }
  const n = observed.reduce((a, b) => a + b, 0);
  const r = reference.reduce((a, b) => a + b, 0);
  const scale = r === 0 ? 0 : n / r;
  const pooled: PooledCells = { observed: [], expected: [], groups: [] };
  let obs = 0;
  let exp = 0;
  let group: number[] = [];
  for (let i = 0; i < observed.length; i++) {
    obs += observed[i]!;
    exp += reference[i]! * scale;
    group.push(i);
    if (exp >= minExpected) {
      pooled.observed.push(obs);
      pooled.expected.push(exp);
      pooled.groups.push(group);
      obs = 0;
      exp = 0;
      group = [];
    }
  }
  if (group.length > 0) {
    const last = pooled.groups.length - 1;
    if (last < 0) {
      pooled.observed.push(obs);
      pooled.expected.push(exp);
      pooled.groups.push(group);
    } else {
      pooled.observed[last]! += obs;
      pooled.expected[last]! += exp;
      pooled.groups[last]!.push(...group);
    }
  }
  return pooled;
}
