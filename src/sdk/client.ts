import { ActiveRun, type ActiveRunOptions } from "./active-run.js";
import { ArtifactsApi } from "./artifacts-api.js";
import { AuditApi } from "./audit-api.js";
import { AuthApi } from "./auth-api.js";
import { ExperimentsApi } from "./experiments-api.js";
import { GovernanceApi } from "./governance-api.js";
import { LoggedModelsApi } from "./logged-models-api.js";
import { MonitorsApi } from "./monitors-api.js";
import { ProfilesApi } from "./profiles-api.js";
import { RegistryApi } from "./registry-api.js";
import type { RetryOptions } from "./retry.js";
import { RunsApi } from "./runs-api.js";
import { ServingApi } from "./serving-api.js";
import { currentUser, withRunContext } from "./run-context.js";
import { TracesApi } from "./traces-api.js";
import { HttpTransport } from "./transport.js";
import { WebhooksApi } from "./webhooks-api.js";
import type { RunTag } from "../protocol/mlflow/entities.js";
import { authorizationOf } from "./credentials.js";

export interface CairnClientOptions {
  /** Server base URL, e.g. http://127.0.0.1:5000. */
  trackingUri: string;
  /** Sent with every request (e.g. { authorization: "Bearer ..." }). */
  headers?: Record<string, string>;
  /** Backoff for transient failures (connection refused/reset, 429, 502, 503, 504). */
  retry?: RetryOptions;
  /** Longest wait for one JSON API call's answer, in ms (default 60000; 0 = no limit); artifact transfers have none. */
  timeoutMs?: number;
  /**
   * Who is calling, sent as the x-cairn-user header: the actor of the audit trail and of approvals on a server without
   * `--auth` (unverified). A server with `--auth` ignores it and records the authenticated user.
   */
  user?: string;
  /** HTTP Basic user name and password (else MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD). */
  username?: string;
  password?: string;
  /** A personal access token, sent as Bearer when there is no user name and password (else MLFLOW_TRACKING_TOKEN). */
  token?: string;
  /** Where MLFLOW_TRACKING_* are read; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface StartRunOptions extends ActiveRunOptions {
  experimentId: string;
  runName?: string;
  tags?: RunTag[] | Record<string, string>;
  userId?: string;
}

/** A typed client for Cairn's (and MLflow's) tracking and registry APIs, and Cairn's governance APIs. */
export class CairnClient {
  readonly trackingUri: string;
  readonly experiments: ExperimentsApi;
  readonly runs: RunsApi;
  readonly artifacts: ArtifactsApi;
  /** MLflow 3's logged models: create, finalize, search, tags, params, artifact listing. */
  readonly loggedModels: LoggedModelsApi;
  /** MLflow 3's traces (search, info, spans, tags, deletion) and their assessments. */
  readonly traces: TracesApi;
  /** MLflow's model registry: registered models, versions, tags, aliases, stages. */
  readonly registry: RegistryApi;
  /** Promotion rules, approvals, lineage and model cards. */
  readonly governance: GovernanceApi;
  /** The audit trail, its verification, and alias history. */
  readonly audit: AuditApi;
  readonly webhooks: WebhooksApi;
  /** Deployments (canary, shadow, promote, rollback) and predictions through both serving protocols. */
  readonly serving: ServingApi;
  /** Monitors of deployments' live traffic: runs, scores over time, alerts. */
  readonly monitors: MonitorsApi;
  /** Data profiles attached to runs, and model versions' training profiles. */
  readonly profiles: ProfilesApi;
  /** Who am I, personal access tokens, and MLflow's user endpoints (servers with `--auth`). */
  readonly auth: AuthApi;

  constructor(options: CairnClientOptions) {
    const user = options.user?.trim();
    const authorization = authorizationOf(
      {
        ...(options.username !== undefined ? { username: options.username } : {}),
        ...(options.password !== undefined ? { password: options.password } : {}),
        ...(options.token !== undefined ? { token: options.token } : {}),
      },
      options.env ?? process.env,
    );
    const headers = {
      ...(authorization === undefined ? {} : { authorization }),
      ...options.headers,
      ...(user ? { "x-cairn-user": user } : {}),
    };
    const http = new HttpTransport({ ...options, headers });
    this.trackingUri = http.baseUrl;
    this.experiments = new ExperimentsApi(http);
    this.auth = new AuthApi(http);
    this.runs = new RunsApi(http);
    this.artifacts = new ArtifactsApi(http, this.runs);
    this.loggedModels = new LoggedModelsApi(http);
    this.traces = new TracesApi(http);
    this.registry = new RegistryApi(http);
    this.governance = new GovernanceApi(http);
    this.audit = new AuditApi(http);
    this.webhooks = new WebhooksApi(http);
    this.serving = new ServingApi(http);
    this.monitors = new MonitorsApi(http);
    this.profiles = new ProfilesApi(http);
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
