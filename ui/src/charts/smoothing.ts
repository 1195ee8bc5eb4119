/**
 * TensorBoard's smoothing: an exponential moving average whose start is debiased, so that the first points are not
 * pulled towards zero (the accumulator starts at 0; dividing by 1 - weight^n undoes that). Non-finite values pass
 * through unchanged and do not enter the average, so one NaN does not poison the rest of the curve.
 */
export const smoothEma = (values: readonly number[], weight: number): number[] => {
  if (!(weight > 0)) return [...values];
  const w = Math.min(weight, 0.999);
  const smoothed: number[] = new Array<number>(values.length);
  let accumulator = 0;
  let count = 0;
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i] as number;
    if (!Number.isFinite(value)) {
      smoothed[i] = value;
      continue;
    }
    accumulator = accumulator * w + (1 - w) * value;
    count += 1;
    smoothed[i] = accumulator / (1 - Math.pow(w, count));
  }
  return smoothed;
};

/** The smoothing weight of a URL value: a number in [0, 0.99], anything else is 0 (no smoothing). */
export const parseSmoothing = (raw: string): number => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(value, 0.99);
};
