/**
 * The parser entries of `cairn monitors ...`. Each action loads its command module only when it runs. The commands
 * speak Cairn's JSON API through the SDK's transport, with the same server, user and retries as the client.
 */
import type { Command } from "commander";
import type { CairnClient } from "../sdk/client.js";
import { str } from "./option-values.js";
import type { DataAction } from "./program.js";
import type { MonitorsCaller } from "./commands/monitors.js";

const monitors = () => import("./commands/monitors.js");

const callerFor = async (client: CairnClient, options: Record<string, unknown>): Promise<MonitorsCaller> => {
  const [{ HttpTransport }, { currentUser }] = await Promise.all([import("../sdk/transport.js"), import("../sdk/run-context.js")]);
  const user = [str(options.user), process.env.CAIRN_USER, currentUser()].find((name) => name !== undefined && name.trim() !== "");
  const transport = new HttpTransport({
    trackingUri: client.trackingUri,
    retry: { retries: 2, minDelayMs: 100, maxDelayMs: 500 },
    ...(user !== undefined ? { headers: { "x-cairn-user": user.trim() } } : {}),
  });
  return { callCairn: (method, endpoint, message) => transport.callCairn(method, endpoint, message ?? {}) };
};

export const registerMonitorCommands = (program: Command, dataAction: DataAction): void => {
  const group = program.command("monitors").description("scheduled checks of a deployment's live traffic: drift, skew, data tests, quality");
  group
    .command("create")
    .description("create a monitor over a deployment's prediction log")
    .argument("<name>", "monitor name")
    .requiredOption("--deployment <name>", "the deployment whose prediction log is checked")
    .option("--window-rows <n>", "window: the newest N logged rows")
    .option("--window-seconds <s>", "window: the rows logged in the last S seconds")
    .requiredOption("--every <seconds>", "run every S seconds (at least 10)")
    .option("--drift", "drift of the inputs against the model version's training profile")
    .option("--drift-reference <uri>", "drift against this data file in the artifact store (an mlflow-artifacts:/ URI) instead of the training profile")
    .option("--skew", "training/serving skew against the training profile (TFDV's L-infinity / JS divergence)")
    .option("--suite <file>", "a data-test suite (YAML) run over the window")
    .option("--quality <spec>", "model quality once labels arrive: metric:threshold[:label_field], metric accuracy|f1|rmse|mae")
    .option("--features <names>", "comma-separated feature names: the input columns in order for a model without a signature (required then), else a subset of the signature's")
    .option("--min-rows <n>", "fewer window rows than this (labelled rows for --quality) and a check is 'insufficient data', never a pass (default 100)")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, name: string) =>
        (await monitors()).createMonitor(await callerFor(client, o), name, {
          deployment: str(o.deployment),
          windowRows: str(o.windowRows),
          windowSeconds: str(o.windowSeconds),
          every: str(o.every),
          drift: o.drift === true,
          driftReference: str(o.driftReference),
          skew: o.skew === true,
          suite: str(o.suite),
          quality: str(o.quality),
          features: str(o.features),
          minRows: str(o.minRows),
        }),
      ),
    );
  group
    .command("list")
    .description("list monitors")
    .option("--json", "print JSON")
    .action(dataAction(async (client, o) => (await monitors()).listMonitors(await callerFor(client, o))));
  group
    .command("run")
    .description("run a monitor now and print its scores (exit 1 unless every check passed: fail, error and insufficient data all exit 1)")
    .argument("<name>", "monitor name")
    .option("--json", "print JSON")
    .action(dataAction(async (client, o, name: string) => (await monitors()).runMonitor(await callerFor(client, o), name)));
  group
    .command("history")
    .description("a monitor's scores over time, newest first")
    .argument("<name>", "monitor name")
    .option("--feature <name>", "only this feature ('' is each check's summary)")
    .option("--max-results <n>", "scores per page (default 100, at most 1000)")
    .option("--page-token <token>", "the next_page_token of the previous page")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, name: string) =>
        (await monitors()).monitorHistory(await callerFor(client, o), name, { feature: str(o.feature), maxResults: str(o.maxResults), pageToken: str(o.pageToken) }),
      ),
    );
  group
    .command("alerts")
    .description("each check's alert state now, and the monitor's alerts, recoveries and errors, newest first")
    .argument("<name>", "monitor name")
    .option("--max-results <n>", "events per page (default 100, at most 1000)")
    .option("--page-token <token>", "the next_page_token of the previous page")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, name: string) =>
        (await monitors()).monitorAlerts(await callerFor(client, o), name, { maxResults: str(o.maxResults), pageToken: str(o.pageToken) }),
      ),
    );
  group
    .command("delete")
    .description("delete a monitor with its history")
    .argument("<name>", "monitor name")
    .option("--json", "print JSON")
    .action(dataAction(async (client, o, name: string) => (await monitors()).deleteMonitor(await callerFor(client, o), name)));
};
