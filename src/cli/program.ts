/**
 * The one parser of `cairn`: every command and flag. Each action imports its command module only when it runs, so
 * `cairn --help` loads almost nothing; commands return data and the shared action prints it.
 */
import { Command } from "commander";
import type { CairnClient } from "../sdk/client.js";
import type { CommandResult } from "./output.js";
import type { ServerOptions } from "./commands/server.js";
import { registerAuditCommands, registerModelCommands } from "./registry-commands.js";
import { registerServingCommands } from "./serving-commands.js";
import { registerDataCommands } from "./data-commands.js";
import { registerMonitorCommands } from "./monitors-commands.js";
import { registerTraceCommands } from "./trace-commands.js";
import { registerPipelineDefinitionCommands } from "./pipeline-definition-commands.js";
import { registerAuthCommands, type LocalAction } from "./auth-commands.js";
import { registerPipelineCommands } from "./pipeline-commands.js";
import { registerDataVersionCommands } from "./data-version-commands.js";
import { registerExperimentCommands } from "./experiment-commands.js";
import { registerRemoteCommands } from "./remote-commands.js";
import { registerDbCommands, registerGcCommand } from "./db-commands.js";

interface GlobalOptions {
  trackingUri?: string;
  user?: string;
  json?: boolean;
}

const write = (stream: NodeJS.WriteStream, text: string): Promise<void> =>
  new Promise((resolve) => {
    stream.write(text, () => resolve());
  });

const makeClient = async (options: GlobalOptions): Promise<CairnClient> => {
  const [{ CairnClient }, { resolveTrackingUri, trackingUriSource }, { currentUser }, { UsageError }] = await Promise.all([
    import("../sdk/client.js"),
    import("./tracking-uri.js"),
    import("../sdk/run-context.js"),
    import("./errors.js"),
  ]);
  // The declared user is the actor of the audit trail and of approvals: --user, else $CAIRN_USER, else the OS user.
  const user = [options.user, process.env.CAIRN_USER, currentUser()].find((name) => name !== undefined && name.trim() !== "");
  // A person waits at the prompt: a few quick retries, not the SDK's patient default.
  try {
    return new CairnClient({
      trackingUri: resolveTrackingUri(options.trackingUri, process.env),
      retry: { retries: 2, minDelayMs: 100, maxDelayMs: 500 },
      user,
    });
  } catch (error) {
    // A tracking URI that is not an http(s) URL is a bad setting (exit 2), named by where it came from.
    if (error instanceof TypeError) throw new UsageError(`${trackingUriSource(options.trackingUri, process.env)}: ${error.message}`);
    throw error;
  }
};

const print = async (result: CommandResult, options: GlobalOptions): Promise<void> => {
  if (options.json) {
    await write(process.stdout, `${JSON.stringify(result.data, null, 2)}\n`);
    return;
  }
  const { renderHuman, tableWidth } = await import("./output.js");
  if (result.notice !== undefined) await write(process.stderr, `${result.notice}\n`);
  const tty = process.stdout.isTTY === true;
  const color = tty && process.env.NO_COLOR === undefined;
  const width = tableWidth(tty, process.stdout.columns, process.env.COLUMNS);
  await write(process.stdout, `${renderHuman(result.human, { color, ...(width === undefined ? {} : { width }) })}\n`);
};

/** Wires a data command: global options merged in, a client made, the result printed. */
export type DataAction = typeof dataAction;
const dataAction =
  <A extends unknown[]>(run: (client: CairnClient, options: Record<string, unknown>, ...args: A) => Promise<CommandResult>) =>
  async (...received: unknown[]): Promise<void> => {
    const command = received[received.length - 1] as Command;
    const args = received.slice(0, -2) as A;
    const options = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
    const result = await run(await makeClient(options), options, ...args);
    await print(result, options);
    if (result.exitCode !== undefined && result.exitCode !== 0) {
      const { CommandExit } = await import("./errors.js");
      throw new CommandExit(result.exitCode);
    }
  };

/** Wires a command that needs no server (`cairn users`, on the database): options merged in, the result printed. */
const localAction: LocalAction =
  <A extends unknown[]>(run: (options: Record<string, unknown>, ...args: A) => Promise<CommandResult>) =>
  async (...received: unknown[]): Promise<void> => {
    const command = received[received.length - 1] as Command;
    const args = received.slice(0, -2) as A;
    const options = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
    const result = await run(options, ...args);
    await print(result, options);
    if (result.exitCode !== undefined && result.exitCode !== 0) {
      const { CommandExit } = await import("./errors.js");
      throw new CommandExit(result.exitCode);
    }
  };

/** Global options that take a value: their value is not a command name. */
const GLOBAL_OPTIONS_WITH_VALUES = new Set(["--tracking-uri", "--user"]);

/**
 * Whether the arguments ask for the program's own version: `--version` or `-V` before any command. Commander would
 * take a global `--version` wherever it stands, so `cairn models show churn --version 3` printed Cairn's version
 * (and `models delete --version 3` deleted nothing and exited 0); `--version` after a command is that command's.
 */
export const asksForProgramVersion = (args: readonly string[]): boolean => {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? "";
    if (arg === "--version" || arg === "-V") return true;
    if (!arg.startsWith("-")) return false;
    if (GLOBAL_OPTIONS_WITH_VALUES.has(arg)) i += 1;
  }
  return false;
};

export const buildProgram = (): Command => {
  const program = new Command("cairn")
    .description("Cairn: an MLOps platform that speaks MLflow's tracking API. `cairn --version` (or -V) prints its version.")
    .option("--tracking-uri <uri>", "tracking server (else $CAIRN_TRACKING_URI, $MLFLOW_TRACKING_URI, http://127.0.0.1:5000)")
    .option("--user <name>", "who you are, recorded in the audit trail and on approvals (else $CAIRN_USER, else the OS user; unverified)")
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError(true);

  program
    .command("server")
    .description("run the tracking server (MLflow REST API, artifact proxy) until SIGINT/SIGTERM")
    .option("--host <host>", "address to listen on (default: 127.0.0.1)")
    .option("--port <port>", "port to listen on; 0 picks a free one (default: 5000)")
    .option("--backend-store-uri <uri>", "metadata store: sqlite:///relative.db or sqlite:////absolute.db (default: sqlite:///cairn-data/cairn.db)")
    .option("--artifacts-destination <path>", "folder, file:// URI or s3://BUCKET/PREFIX for run artifacts (default: ./cairn-data/artifacts; S3 reads MLFLOW_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION)")
    .option("--max-trace-json-bytes <bytes>", "largest traces.json (one trace's spans) accepted (default: 16777216)")
    .option("--max-artifact-file-bytes <bytes>", "largest artifact file (an upload or a completed multipart upload) accepted (0: no limit; default: 5368709120)")
    .option("--max-experiment-artifact-bytes <bytes>", "most artifact bytes one experiment may hold; uploads past it get a 413 (0: no limit; default: 0)")
    .option("--max-scoring-body-bytes <bytes>", "largest scoring request body (invocations, /v2/models/.../infer); larger ones get a 413 (default: 20971520)")
    .option("--allowed-hosts <hosts>", "comma-separated Host names accepted besides localhost, 127.0.0.1, [::1] and the bound address; * accepts any (DNS rebinding protection)")
    .option("--allowed-origins <origins>", "comma-separated origins (https://host:port) whose browser pages may change data besides this server's own; * accepts any")
    .option("--insecure-no-auth", "allow listening on a non-loopback address without --auth (anyone who reaches it may change anything)")
    .option("--auth", "require sign-in: HTTP Basic (MLFLOW_TRACKING_USERNAME/PASSWORD), Bearer tokens (MLFLOW_TRACKING_TOKEN) or the UI's session")
    .option("--secure-cookies", "mark the UI session cookie Secure (serve over https, e.g. behind a TLS proxy)")
    .option("--trusted-proxy-header <header>", "a reverse proxy's authenticated-user header, e.g. X-Forwarded-User (needs --trusted-proxies)")
    .option("--trusted-proxies <list>", "comma-separated addresses and CIDR ranges of reverse proxies whose user header and X-Forwarded-* are believed")
    .option(
      "--webhook-allowed-targets <list>",
      "internal webhook receivers to allow, comma-separated host names, addresses and CIDR ranges (default: public https targets only)",
    )
    .option("--webhook-allow-http", "accept plain http webhook URLs for every allowed target (default: https unless allowlisted)")
    .option("--audit-digest-every-writes <n>", "append a run's audit digest of metric/param/tag writes after this many writes (default: 1000)")
    .option("--audit-digest-interval <duration>", "... or this long after the first write it covers, e.g. 30s, 5m (default: 60s)")
    .option("--no-tracking-audit", "record no audit events for tracking writes (for benchmarks only: the trail then misses them)")
    .option("--no-deployment-standby", "do not keep each deployment's replaced primary loaded as a warm standby (saves one loaded model per deployment; a rollback or move back then loads it again)")
    .option("--prediction-log-max-age <duration>", "delete logged predictions older than this, e.g. 7d, 12h (default: 30d)")
    .option("--prediction-log-max-rows <n>", "keep at most the newest n logged predictions (default: 1000000)")
    .option("--prediction-log-max-record-bytes <bytes>", "log a request's tensors only when their JSON fits in this (default: 65536)")
    .option("--headers-timeout <seconds>", "a request's line and headers must arrive within this (0: no limit; default: 30)")
    .option("--body-idle-timeout <seconds>", "close a connection that sends or receives nothing for this long, e.g. a stalled upload (0: no limit; default: 120)")
    .option("--request-timeout <seconds>", "a whole request, body included, must arrive within this; raise it for very large uploads (0: no limit; default: 3600)")
    .option("--keep-alive-timeout <seconds>", "close an idle keep-alive connection after this (0: no limit; default: 72)")
    .option("--max-connections-per-address <count>", "open connections allowed per client address; more are closed (0: no cap; default: 256)")
    .option("--default-permission <level>", "with --auth: what a user may do on an experiment or registered model without a grant: READ, EDIT, MANAGE or NO_PERMISSIONS (default: READ)")
    .option("--inference-timeout <seconds>", "longest one model run (and warm-up) may take; its executor process is killed and replaced (default: 30)")
    .option("--max-output-elements <n>", "most elements a model run's outputs may hold, checked before they are encoded (default: 10000000)")
    .option("--model-threads <n>", "onnxruntime threads per model at most; an MLmodel asking for more gets this (default: the CPU count)")
    .action(async (options: ServerOptions) => {
      const { runServer } = await import("./commands/server.js");
      await runServer(options);
    });

  const experiments = program.command("experiments").description("list, create, delete and restore experiments");
  experiments
    .command("list")
    .description("list experiments")
    .option("--view <view>", "active, deleted or all", "active")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, options) => (await import("./commands/experiments.js")).listExperiments(client, { view: options.view as string })),
    );
  experiments
    .command("create")
    .description("create an experiment")
    .argument("<name>", "experiment name")
    .option("--artifact-location <uri>", "where the experiment's run artifacts go (default: chosen by the server)")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, options, name: string) =>
        (await import("./commands/experiments.js")).createExperiment(client, name, { artifactLocation: options.artifactLocation as string | undefined }),
      ),
    );
  experiments
    .command("delete")
    .description("mark an experiment (and its runs) deleted")
    .argument("<id>", "experiment id")
    .option("--json", "print JSON")
    .action(dataAction(async (client, _options, id: string) => (await import("./commands/experiments.js")).deleteExperiment(client, id)));
  experiments
    .command("restore")
    .description("restore a deleted experiment")
    .argument("<id>", "experiment id")
    .option("--json", "print JSON")
    .action(dataAction(async (client, _options, id: string) => (await import("./commands/experiments.js")).restoreExperiment(client, id)));

  const runs = program.command("runs").description("list, show and delete runs");
  runs
    .command("list")
    .description("search runs (newest first unless --order-by)")
    .option("--experiment <id-or-name>", "experiment id or name (default: every active experiment)")
    .option("--filter <filter>", `MLflow search filter, e.g. "metrics.acc > 0.9 and params.lr = '0.1'"`)
    .option("--order-by <clause...>", `order, e.g. "metrics.acc DESC" (repeatable)`)
    .option("--max-results <n>", "at most this many runs (default: 1000, at most 50000)")
    .option("--view <view>", "active, deleted or all", "active")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, options) =>
        (await import("./commands/runs.js")).listRuns(client, {
          experiment: options.experiment as string | undefined,
          filter: options.filter as string | undefined,
          orderBy: options.orderBy as string[] | undefined,
          maxResults: options.maxResults as string | undefined,
          view: options.view as string | undefined,
        }),
      ),
    );
  runs
    .command("show")
    .description("show a run: info, params, latest metrics, tags")
    .argument("<run-id>", "run id")
    .option("--json", "print JSON")
    .action(dataAction(async (client, _options, id: string) => (await import("./commands/runs.js")).showRun(client, id)));
  runs
    .command("delete")
    .description("mark a run deleted")
    .argument("<run-id>", "run id")
    .option("--json", "print JSON")
    .action(dataAction(async (client, _options, id: string) => (await import("./commands/runs.js")).deleteRun(client, id)));

  const artifacts = program.command("artifacts").description("list, upload and download run artifacts");
  artifacts
    .command("list")
    .description("list the artifacts directly under PATH (the run's root by default)")
    .argument("<run-id>", "run id")
    .argument("[path]", "folder inside the run's artifacts")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, _options, runId: string, artifactPath: string | undefined) =>
        (await import("./commands/artifacts.js")).listArtifacts(client, runId, artifactPath),
      ),
    );
  artifacts
    .command("upload")
    .description("upload a file, or a folder's contents, to a run")
    .argument("<run-id>", "run id")
    .argument("<local-path>", "file or folder to upload")
    .option("--artifact-path <path>", "folder inside the run's artifacts (default: the root)")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, options, runId: string, localPath: string) =>
        (await import("./commands/artifacts.js")).uploadArtifacts(client, runId, localPath, {
          artifactPath: options.artifactPath as string | undefined,
        }),
      ),
    );
  artifacts
    .command("download")
    .description("download a run's artifact file or folder (the whole root by default)")
    .argument("<run-id>", "run id")
    .argument("[path]", "file or folder inside the run's artifacts")
    .requiredOption("--dest <dir>", "local folder to write into (files keep their artifact paths)")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, options, runId: string, artifactPath: string | undefined) =>
        (await import("./commands/artifacts.js")).downloadArtifacts(client, runId, artifactPath, { dest: options.dest as string }),
      ),
    );

  artifacts
    .command("migrate")
    .description("copy every artifact from one destination to another (e.g. a folder to s3://BUCKET/PREFIX), checksums compared; re-runnable")
    .requiredOption("--from <dest>", "the current --artifacts-destination: a folder, file:// URI or s3://BUCKET/PREFIX")
    .requiredOption("--to <dest>", "the new destination, e.g. s3://BUCKET/PREFIX (S3 settings from MLFLOW_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...)")
    .option("--dry-run", "list what would be copied, write nothing")
    .option("--concurrency <n>", "objects copied at once (default 4)")
    .option("--json", "print JSON")
    .action(
      localAction(async (options) =>
        (await import("./commands/artifacts-migrate.js")).migrateArtifactsCommand({
          from: options.from as string,
          to: options.to as string,
          ...(options.dryRun === true ? { dryRun: true } : {}),
          ...(options.concurrency !== undefined ? { concurrency: options.concurrency as string } : {}),
        }),
      ),
    );

  registerModelCommands(program, dataAction);
  registerAuditCommands(program, dataAction);
  registerServingCommands(program, dataAction);
  registerDataCommands(program, dataAction);
  registerMonitorCommands(program, dataAction);
  registerTraceCommands(program, dataAction);
  registerPipelineDefinitionCommands(program, localAction);
  registerAuthCommands(program, dataAction, localAction);
  registerPipelineCommands(program, localAction, makeClient);
  registerDataVersionCommands(program, localAction);
  registerExperimentCommands(program, localAction, makeClient);
  registerRemoteCommands(program, localAction);
  registerDbCommands(program, localAction);
  registerGcCommand(program, localAction);
  return program;
};

