import type { WriteContext } from "../../core/actor.js";
import { systemClock, type Clock } from "../../core/clock.js";
import { alreadyExists, invalidParameter, notFound } from "../../core/errors.js";
import type { EventSink } from "../../core/events.js";
import { atomically, type AuditRecorder } from "../../audit/recorder.js";
import { publishAlerts } from "./alerts.js";
import type { MonitorDependencies } from "./dependencies.js";
import type { MonitoredModel } from "./dependencies.js";
import { selectFeatures } from "./log-columns.js";
import type { StoredPrediction } from "../../serving/prediction-log/store.js";
import { CHECK_NAMES, runStatusOf, type CheckName, type CheckOutcome, type Monitor, type MonitorAlertEvent, type MonitorRun, type MonitorSpec } from "./monitor.js";
import { configuredChecks, validateMonitorSpec } from "./validate-monitor.js";
import type { MonitorGauges } from "./monitor-gauges.js";
import { monitorSpecToWire } from "./monitor-spec.js";
import { errorOutcome, runChecks } from "./run-checks.js";
import { backoffDelayMs, type RunAttempts } from "./run-backoff.js";
import { leaseMsFor, newLeaseHolder, whileRenewing } from "./run-lease.js";
import type { MonitorHistoryPage, MonitorStore } from "./store.js";

/** A check's alert state: failing or not, since the alert or recovery that set it (absent: it never failed). */
export interface CheckAlertState {
  check: CheckName;
  failing: boolean;
  since?: number;
  /** The check could not run on its latest runs, since then (a monitor.error was raised). */
  errorSince?: number;
}

export interface MonitorAlerts {
  /** Every check of the monitor, in the order drift, skew, data_tests, quality. */
  states: CheckAlertState[];
  /** Alerts and recoveries, newest first. */
  events: MonitorAlertEvent[];
  nextPageToken?: string;
}

import { readWindowPages, WindowBuilder } from "./window-reader.js";

/** A run of a monitor and whether it was recorded (false: its lease was taken over, the window is another's). */
interface Execution {
  run: MonitorRun;
  recorded: boolean;
}

export const DEFAULT_HISTORY_PAGE = 100;
export const MAX_HISTORY_PAGE = 1000;

export interface MonitorServiceOptions {
  deps: MonitorDependencies;
  audit: AuditRecorder;
  /** Where alerts and recoveries go (the webhooks service in the server). */
  events: EventSink;
  gauges?: MonitorGauges;
  clock?: Clock;
  /** How often the scheduler looks for due monitors. Default 1 s. */
  tickMs?: number;
  /** The lease on a claimed window, fixed (tests); default leaseMsFor(the monitor's schedule), see run-lease.ts. */
  leaseMs?: number;
  onError?: (error: unknown, what: string) => void;
}

/** max_results of monitors/history and monitors/alerts: default 100, 1 to 1000. */
const pageSize = (requested: number | undefined): number => {
  const maxResults = requested ?? DEFAULT_HISTORY_PAGE;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_HISTORY_PAGE) {
    throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results': it must be between 1 and ${MAX_HISTORY_PAGE}.`);
  }
  return maxResults;
};

const defaultOnError = (error: unknown, what: string): void => {
  process.stderr.write(`cairn monitors: ${what}: ${error instanceof Error ? error.message : String(error)}\n`);
};

/**
 * Monitors of live traffic: definitions (audited writes), runs over the window of the prediction log, results
 * stored as a time series, alerts on changes of state, gauges of the latest scores, and a scheduler that runs the
 * monitors that are due. One run of a monitor at a time: a run still going when the next is due is not doubled.
 */
export class MonitorService {
  private readonly deps: MonitorDependencies;
  private readonly clock: Clock;
  private readonly running = new Map<string, Promise<MonitorRun>>();
  /** The run each monitor's runNow callers wait for while another is in progress (see runNow). */
  private readonly queued = new Map<string, Promise<MonitorRun>>();
  /**
   * When each monitor that ran in this process may run next: its schedule after the run finished, longer after
   * failures (backoffDelayMs). Kept even when a failed run could not be stored, so a failure never becomes a tight loop.
   */
  private readonly attempts = new Map<string, RunAttempts>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private readonly onError: (error: unknown, what: string) => void;

  constructor(
    private readonly store: MonitorStore,
    private readonly options: MonitorServiceOptions,
  ) {
    this.deps = options.deps;
    this.clock = options.clock ?? systemClock;
    this.onError = options.onError ?? defaultOnError;
  }

  async create(spec: MonitorSpec, context: WriteContext): Promise<Monitor> {
    if (await this.store.get(spec.name)) throw alreadyExists(`Monitor '${spec.name}' already exists.`);
    await validateMonitorSpec(spec, this.deps);
    const now = this.clock();
    const monitor: Monitor = { ...spec, createdTime: now, lastUpdatedTime: now };
    // The monitor and its audit event commit together (see AuditRecorder.atomically).
    await atomically(this.options.audit, async () => {
      await this.store.create(monitor);
      await this.options.audit.record(context, { action: "monitoring.monitor.create", entityType: "monitor", entityId: monitor.name, after: monitorSpecToWire(monitor) });
    });
    return monitor;
  }

  async get(name: string): Promise<Monitor> {
    const monitor = await this.store.get(name);
    if (monitor === undefined) throw notFound(`Monitor '${name}' not found.`);
    return monitor;
  }

  async list(): Promise<Monitor[]> {
    return this.store.list();
  }

  async delete(name: string, context: WriteContext): Promise<void> {
    const before = await this.get(name);
    await atomically(this.options.audit, async () => {
      if (!(await this.store.delete(name))) throw notFound(`Monitor '${name}' not found.`);
      await this.options.audit.record(context, { action: "monitoring.monitor.delete", entityType: "monitor", entityId: name, before: monitorSpecToWire(before) });
    });
    this.options.gauges?.remove(name);
    this.attempts.delete(name);
  }

  async history(query: { name: string; feature?: string; check?: CheckName; maxResults?: number; pageToken?: string }): Promise<MonitorHistoryPage> {
    const maxResults = pageSize(query.maxResults);
    await this.get(query.name);
    return this.store.history({
      monitor: query.name,
      maxResults,
      ...(query.feature !== undefined ? { feature: query.feature } : {}),
      ...(query.check !== undefined ? { check: query.check } : {}),
      ...(query.pageToken !== undefined ? { pageToken: query.pageToken } : {}),
    });
  }

  /** The current alert state of each check and one page of the monitor's alerts and recoveries, newest first. */
  async alerts(query: { name: string; maxResults?: number; pageToken?: string }): Promise<MonitorAlerts> {
    const maxResults = pageSize(query.maxResults);
    const monitor = await this.get(query.name);
    const stored = new Map((await this.store.alertStates(monitor.name)).map((s) => [s.check, s]));
    const configured = configuredChecks(monitor);
    const states = CHECK_NAMES.filter((check) => configured.includes(check) || stored.has(check)).map(
      (check): CheckAlertState => stored.get(check) ?? { check, failing: false },
    );
    const page = await this.store.alertEvents({ monitor: monitor.name, maxResults, ...(query.pageToken !== undefined ? { pageToken: query.pageToken } : {}) });
    return { states, ...page };
  }

  /**
   * Runs one monitor now and returns the run: `monitors/run`, outside the schedule and its leases (an explicit extra
   * evaluation, recorded whatever a scheduler holds). A run already in progress started before this call and may
   * have read its window before the caller's latest predictions were logged, so the caller is not given it: the
   * caller gets the next run, started as soon as that one ends and shared by every caller arriving meanwhile.
   */
  async runNow(name: string): Promise<MonitorRun> {
    const queued = this.queued.get(name);
    if (queued !== undefined) return queued;
    const inProgress = this.running.get(name);
    if (inProgress === undefined) return this.runFresh(name);
    const next = inProgress
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.queued.delete(name);
        return this.runFresh(name);
      });
    this.queued.set(name, next);
    return next;
  }

  private async runFresh(name: string): Promise<MonitorRun> {
    const monitor = await this.get(name);
    return (await this.track(monitor, this.execute(monitor))).run;
  }

  /** One run of `monitor` in this process: joined by runNow while it lasts, followed by its next attempt time. */
  private track(monitor: Monitor, execution: Promise<Execution>): Promise<Execution> {
    const tracked = execution.then(
      (result) => {
        this.scheduleNext(monitor, result.run.status === "error");
        return result;
      },
      (error: unknown) => {
        this.scheduleNext(monitor, true);
        throw error;
      },
    );
    const run = tracked.then((result) => result.run).finally(() => this.running.delete(monitor.name));
    // Joiners of a run that throws get the throw; the tracked promise's own rejection is the caller's to handle.
    run.catch(() => undefined);
    this.running.set(monitor.name, run);
    return tracked;
  }

  /** After a run: a success resets the back-off; an error (status error, or a throw) doubles the wait. */
  private scheduleNext(monitor: Monitor, failed: boolean): void {
    const failures = failed ? (this.attempts.get(monitor.name)?.failures ?? 0) + 1 : 0;
    this.attempts.set(monitor.name, { failures, nextAttempt: this.clock() + backoffDelayMs(monitor.scheduleSeconds * 1000, failures) });
  }

  /** Consecutive failed runs of a monitor in this process and when the scheduler may run it next (undefined: not run yet). */
  attemptsOf(name: string): RunAttempts | undefined {
    const attempts = this.attempts.get(name);
    return attempts === undefined ? undefined : { ...attempts };
  }

  /** Evaluates the monitor's window now and records it (under the lease of `holder` for a scheduled run). */
  private async execute(monitor: Monitor, holder?: string): Promise<Execution> {
    const time = this.clock();
    let checks: CheckOutcome[];
    let rows = 0;
    try {
      // Inside the try: a window that cannot be read is a failed run that is stored (and backed off), not a throw
      // that leaves last_run_time unset and has the scheduler retry on its next tick, forever.
      // Page by page (window-reader.ts): each page becomes table rows before the next is read. Each prediction's
      // columns are named by the signature of the version that answered it, as registered.
      const models = new Map<string, MonitoredModel>();
      const namesOf = (version: string): readonly string[] | undefined => models.get(version)?.signatureColumns ?? monitor.features;
      const builder = new WindowBuilder("lastRows" in monitor.window ? monitor.window.lastRows : undefined);
      let newest: StoredPrediction | undefined;
      await readWindowPages(this.deps.predictions, monitor.deployment, monitor.window, time, async (page) => {
        for (const version of new Set(page.map((p) => p.version))) {
          if (!models.has(version)) models.set(version, await this.deps.model(monitor.deployment, version));
        }
        builder.add(page, namesOf);
        newest = page[page.length - 1] ?? newest;
      });
      const model: MonitoredModel = (newest !== undefined ? models.get(newest.version) : undefined) ?? {};
      const window = builder.result();
      rows = window.rows.length;
      const monitored = monitor.features ?? model.signatureColumns ?? (newest === undefined ? [] : undefined);
      if (monitored === undefined) {
        checks = configuredChecks(monitor).map((check) =>
          errorOutcome(check, `model version ${newest?.version ?? ""} of deployment '${monitor.deployment}' has no signature naming its features; declare the monitor's 'features'`),
        );
      } else {
        const { table, unmatched } = selectFeatures(window, monitored);
        const dataset =
          table.features.length > 0 && table.rows.length > 0
            ? await this.deps.openRows(table.features, table.rows, `deployment ${monitor.deployment}, ${table.rows.length} logged rows`)
            : undefined;
        try {
          checks = await runChecks(monitor, { table, dataset, unmatched, monitored }, model, this.deps);
        } finally {
          await dataset?.close();
        }
      }
    } catch (error) {
      // The window or the model's signature or profile could not be read (the store or artifact store down), or the
      // window could not be turned into a table: every check is an error.
      const reason = error instanceof Error ? error.message : String(error);
      checks = configuredChecks(monitor).map((check) => errorOutcome(check, reason));
    }
    const status = runStatusOf(checks.map((c) => c.status));
    const run: MonitorRun = { monitor: monitor.name, time, rows, status, passed: status === "pass", checks };
    // Fenced: a run whose lease another replica took over (this process stalled past it) records nothing, and
    // neither sets gauges nor raises alerts: the window is the other replica's now.
    if (!(await this.store.recordRun(run, holder))) return { run, recorded: false };
    this.options.gauges?.record(run);
    // The run and its alert states are recorded: an event the webhook queue cannot take now is reported, and the
    // other checks' events still go out (a failure here must not fail a run that is already stored).
    const events: EventSink = {
      publish: (event) => this.options.events.publish(event).catch((error: unknown) => this.onError(error, `publishing ${event.type} of monitor '${monitor.name}'`)),
    };
    await publishAlerts(monitor, run, this.store, events);
    return { run, recorded: true };
  }

  /** Starts the scheduler: a timer that never keeps the process alive on its own. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.ticking === undefined) this.ticking = this.runDue().then(
          () => undefined,
          (error: unknown) => this.onError(error, "scheduler"),
        ).finally(() => (this.ticking = undefined));
    }, this.options.tickMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    await Promise.allSettled([...this.running.values(), ...this.queued.values()]);
  }

  /**
   * Runs every due monitor, one after another: when its stored last run (by any process on the database) is at
   * least its schedule ago and, when it ran in this process, its next attempt has come (backed off after failures).
   * Several replicas run this loop on one database: each due window is claimed first under a lease (claimRun: the
   * last run time unchanged and no live lease), renewed while the run lasts, and released by the run's result in
   * its transaction; so whichever replica claims it evaluates it, once, and a window whose claimer died is claimed
   * again once its lease has expired.
   */
  async runDue(): Promise<string[]> {
    const now = this.clock();
    const ran: string[] = [];
    for (const monitor of await this.store.list()) {
      const attempts = this.attempts.get(monitor.name);
      const due =
        (attempts === undefined || now >= attempts.nextAttempt) &&
        (monitor.lastRunTime === undefined || now - monitor.lastRunTime >= monitor.scheduleSeconds * 1000);
      if (!due || this.running.has(monitor.name)) continue;
      try {
        const leaseMs = this.options.leaseMs ?? leaseMsFor(monitor.scheduleSeconds);
        const holder = newLeaseHolder();
        if (!(await this.store.claimRun(monitor.name, monitor.lastRunTime, now, { holder, until: now + leaseMs }))) continue;
        const renew = (): Promise<boolean> => this.store.renewLease(monitor.name, holder, this.clock() + leaseMs);
        const { recorded } = await this.track(monitor, whileRenewing(leaseMs, renew, () => this.execute(monitor, holder)));
        if (recorded) ran.push(monitor.name);
        else this.onError(new Error("its lease was taken over by another scheduler; the result is not recorded"), `monitor '${monitor.name}'`);
      } catch (error) {
        this.onError(error, `monitor '${monitor.name}'`);
      }
    }
    return ran;
  }
}
