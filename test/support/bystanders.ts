import { expect } from "vitest";

/** What the bystanders of an attack saw: /health's latencies and the normal client's answers. */
export interface Bystanders<T> {
  result: T;
  healthP95Ms: number;
  healthWorstMs: number;
  healthChecks: number;
  normalStatuses: number[];
}

/**
 * While `attack` runs: `GET /health` every 20 ms (each must answer 200) and `normal` sent back to back. Returns the
 * attack's result and what the bystanders saw (issue 12: an attack must leave both answering).
 */
export const duringAttack = async <T>(baseUrl: string, normal: () => Promise<number>, attack: () => Promise<T>): Promise<Bystanders<T>> => {
  let done = false;
  const health: number[] = [];
  const statuses: number[] = [];
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      const response = await fetch(`${baseUrl}/health`);
      await response.text();
      expect(response.status).toBe(200);
      health.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const client = (async () => {
    while (!done) statuses.push(await normal());
  })();
  try {
    const result = await attack();
    const sorted = [...health].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] ?? Number.NaN;
    return { result, healthP95Ms: p95, healthWorstMs: Math.max(...health), healthChecks: health.length, normalStatuses: statuses };
  } finally {
    done = true;
    await Promise.all([probe, client]);
  }
};
