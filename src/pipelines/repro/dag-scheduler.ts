/**
 * Runs one task per stage in dependency order: a stage starts once every upstream stage in the set has finished,
 * at most `jobs` at a time, ready stages in the pipeline file's order. Once `stopped()` says so (a command failed,
 * repro was interrupted), no new task starts; the running ones are awaited. A task that throws stops the schedule
 * the same way and its error is rethrown after the running tasks have ended.
 */
export interface DagSchedule {
  /** Stage names in the pipeline file's order. */
  order: readonly string[];
  /** Direct upstream stages of each stage (names outside `order` are ignored). */
  upstream: ReadonlyMap<string, readonly string[]>;
  jobs: number;
  task: (stage: string) => Promise<void>;
  stopped: () => boolean;
}

export const runDag = async (schedule: DagSchedule): Promise<void> => {
  const inSet = new Set(schedule.order);
  const waitingOn = new Map(schedule.order.map((name) => [name, new Set((schedule.upstream.get(name) ?? []).filter((up) => inSet.has(up) && up !== name))]));
  const pending = [...schedule.order];
  const running = new Map<string, Promise<void>>();
  let failure: { error: unknown } | undefined;
  const jobs = Math.max(1, Math.floor(schedule.jobs));

  const halted = (): boolean => failure !== undefined || schedule.stopped();
  const start = (): void => {
    while (!halted() && running.size < jobs) {
      const index = pending.findIndex((name) => (waitingOn.get(name)?.size ?? 0) === 0);
      if (index < 0) return;
      const [name] = pending.splice(index, 1) as [string];
      const promise = schedule.task(name).then(
        () => {
          for (const set of waitingOn.values()) set.delete(name);
        },
        (error: unknown) => {
          failure ??= { error };
        },
      );
      running.set(
        name,
        promise.finally(() => running.delete(name)),
      );
    }
  };

  start();
  while (running.size > 0) {
    await Promise.race(running.values());
    start();
  }
  if (failure !== undefined) throw failure.error;
};
