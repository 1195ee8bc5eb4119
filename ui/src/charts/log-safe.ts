/**
 * A log-scale axis cannot place zero, negative or non-finite values (uPlot's log scale produces NaN ranges and
 * draws nothing at all); those become gaps (null) instead. On a linear axis only non-finite values become gaps.
 */
export const chartValue = (value: number, logY: boolean): number | null => {
  if (!Number.isFinite(value)) return null;
  if (logY && value <= 0) return null;
  return value;
};

export const chartValues = (values: readonly number[], logY: boolean): (number | null)[] => values.map((value) => chartValue(value, logY));
