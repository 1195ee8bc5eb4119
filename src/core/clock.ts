/** Wall-clock milliseconds since the epoch; injected so that tests can fix time. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
