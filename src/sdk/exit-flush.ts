/**
 * Flushes buffered run data when the process is about to end without the program having called end().
 *
 * - "beforeExit" (the event loop ran dry): every live run is flushed; the flush's own requests keep the process alive
 *   until they finish, then Node emits beforeExit again and the process ends. Each run gets one exit flush, so a dead
 *   server cannot keep the process alive forever.
 * - SIGINT / SIGTERM: runs are flushed (bounded by SIGNAL_FLUSH_TIMEOUT_MS), then, if no other code listens for the
 *   signal, the signal is raised again so the process ends the way it would have without Cairn. A second signal
 *   during the flush re-raises at once.
 * - "exit" (process.exit() or the end after beforeExit): listeners there cannot wait for I/O, so anything still
 *   buffered is only reported on stderr, never sent.
 */
export interface ExitFlushable {
  readonly runId: string;
  /** Entries logged and not yet confirmed by the server. */
  readonly pendingCount: number;
  flush(): Promise<void>;
}

export const SIGNAL_FLUSH_TIMEOUT_MS = 5000;
const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

const live = new Set<ExitFlushable>();
const exitFlushed = new WeakSet<ExitFlushable>();
let installed = false;

const warn = (message: string): void => {
  process.stderr.write(`cairn: ${message}\n`);
};

const flushOne = async (run: ExitFlushable): Promise<void> => {
  try {
    await run.flush();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    warn(`flushing run ${run.runId} before exit failed: ${reason}`);
  }
};

const onBeforeExit = (): void => {
  const due = [...live].filter((run) => run.pendingCount > 0 && !exitFlushed.has(run));
  for (const run of due) exitFlushed.add(run);
  if (due.length > 0) void Promise.all(due.map(flushOne));
};

const onExit = (): void => {
  for (const run of live) {
    if (run.pendingCount > 0) warn(`${run.pendingCount} buffered entries of run ${run.runId} were not sent before exit`);
  }
};

let signalled = false;

/** Ends the process as the signal would have (exit status 128 + n), if no other code handles the signal. */
const reraise = (signal: NodeJS.Signals): void => {
  if (process.listenerCount(signal) === 1) {
    uninstall();
    process.kill(process.pid, signal);
  }
};

const onSignal = (signal: NodeJS.Signals): void => {
  // A second signal while flushing (Ctrl-C twice) means "now": stop waiting.
  if (signalled) {
    reraise(signal);
    return;
  }
  signalled = true;
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, SIGNAL_FLUSH_TIMEOUT_MS).unref());
  void Promise.race([Promise.all([...live].map(flushOne)), timeout]).then(() => {
    signalled = false;
    reraise(signal);
  });
};

const install = (): void => {
  if (installed) return;
  installed = true;
  process.on("beforeExit", onBeforeExit);
  process.on("exit", onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
};

const uninstall = (): void => {
  if (!installed) return;
  installed = false;
  process.off("beforeExit", onBeforeExit);
  process.off("exit", onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
};

export const registerForExitFlush = (run: ExitFlushable): void => {
  live.add(run);
  install();
};

export const unregisterForExitFlush = (run: ExitFlushable): void => {
  live.delete(run);
  if (live.size === 0) uninstall();
};
