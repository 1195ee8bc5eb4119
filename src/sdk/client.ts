import { ActiveRun, type ActiveRunOptions } from "./active-run.js";
import { ArtifactsApi } from "./artifacts-api.js";
import { ExperimentsApi } from "./experiments-api.js";
import type { RetryOptions } from "./retry.js";
import { RunsApi } from "./runs-api.js";
import { currentUser, withRunContext } from "./run-context.js";
import { HttpTransport } from "./transport.js";
import type { RunTag } from "../protocol/mlflow/entities.js";

export interface CairnClientOptions {
  /** Server base URL, e.g. http://127.0.0.1:5000. */
  trackingUri: string;
  /** Sent with every request (e.g. { authorization: "Bearer ..." }). */
  headers?: Record<string, string>;
  /** Backoff for transient failures (connection refused/reset, 429, 502, 503, 504). */
  retry?: RetryOptions;
  /** Longest wait for one JSON API call's answer, in ms (default 60000; 0 = no limit); artifact transfers have none. */
  timeoutMs?: number;
}

export interface StartRunOptions extends ActiveRunOptions {
  experimentId: string;
  runName?: string;
  tags?: RunTag[] | Record<string, string>;
  userId?: string;
}

/** A typed client for Cairn's (and MLflow's) tracking API. */
export class CairnClient {
  readonly trackingUri: string;
  readonly experiments: ExperimentsApi;
  readonly runs: RunsApi;
  readonly artifacts: ArtifactsApi;

  constructor(options: CairnClientOptions) {
    const http = new HttpTransport(options);
    this.trackingUri = http.baseUrl;
    this.experiments = new ExperimentsApi(http);
    this.runs = new RunsApi(http);
    this.artifacts = new ArtifactsApi(http, this.runs);
  }

  /**
   * Creates a run and returns a handle that buffers and batches what is logged to it. Like MLflow's fluent
   * start_run, it records the user (default: the OS user) and the program (`mlflow.source.name`) as tags.
   */
  async startRun(options: StartRunOptions): Promise<ActiveRun> {
    const userId = options.userId ?? currentUser();
    const run = await this.runs.create({
      experimentId: options.experimentId,
      runName: options.runName,
      tags: withRunContext(options.tags, userId),
      userId,
    });
    return new ActiveRun(this.runs, run, options);
  }
}
