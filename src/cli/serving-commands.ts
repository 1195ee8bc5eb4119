/**
 * The parser entries of `cairn serve`, `cairn deployments ...` and `cairn predict`. Like the rest of the program,
 * each action loads its command module only when it runs.
 */
import type { Command } from "commander";
import { str } from "./option-values.js";
import type { DataAction } from "./program.js";

const deployments = () => import("./commands/deployments.js");

export const registerServingCommands = (program: Command, dataAction: DataAction): void => {
  program
    .command("serve")
    .description("serve one ONNX model (MLflow scoring at /invocations, Open Inference Protocol at /v2) until SIGINT/SIGTERM")
    .argument("<model>", "a models:/<name>@<alias> or models:/<name>/<version> URI (resolved through --tracking-uri), an MLflow model folder, or a .onnx file")
    .option("--host <host>", "address to listen on (default: 127.0.0.1)")
    .option("--port <port>", "port to listen on; 0 picks a free one (default: 5001)")
    .option("--max-batch-size <n>", "adaptive batching: most rows merged into one run (default: the server's)")
    .option("--max-latency-ms <ms>", "adaptive batching: longest a request waits for batch mates (default: the server's)")
    .option("--inference-worker", "accepted for compatibility: every run happens in the model's executor process")
    .option("--allowed-hosts <hosts>", "comma-separated Host names accepted besides localhost, 127.0.0.1, [::1] and the bound address, e.g. a container's service name; * accepts any")
    .option("--inference-timeout <seconds>", "longest one model run (and warm-up) may take; its executor process is killed and replaced (default: 30)")
    .option("--max-output-elements <n>", "most elements a model run's outputs may hold, checked before they are encoded (default: 10000000)")
    .option("--model-threads <n>", "onnxruntime threads at most; an MLmodel asking for more gets this (default: the CPU count)")
    .option("--max-scoring-body-bytes <bytes>", "largest scoring request body; larger ones get a 413 (default: 20971520)")
    .action(async (model: string, _options: unknown, command: Command) => {
      const o = command.optsWithGlobals<Record<string, unknown>>();
      const { runServe } = await import("./commands/serve.js");
      await runServe(model, {
        host: str(o.host),
        port: str(o.port),
        maxBatchSize: str(o.maxBatchSize),
        maxLatencyMs: str(o.maxLatencyMs),
        inferenceWorker: o.inferenceWorker === true,
        trackingUri: str(o.trackingUri),
        allowedHosts: str(o.allowedHosts),
        inferenceTimeout: str(o.inferenceTimeout),
        maxOutputElements: str(o.maxOutputElements),
        modelThreads: str(o.modelThreads),
        maxScoringBodyBytes: str(o.maxScoringBodyBytes),
      });
    });

  const group = program.command("deployments").description("named deployments inside the Cairn server: create, canary, shadow, promote, rollback");
  group
    .command("create")
    .description("deploy a registered model; with models:/<name>@<alias> the deployment follows the alias")
    .argument("<name>", "deployment name (its endpoints are /deployments/<name>/invocations and /v2/models/<name>)")
    .argument("<model-uri>", "models:/<name>@<alias> or models:/<name>/<version>")
    .option("--max-batch-size <n>", "adaptive batching: most rows merged into one run")
    .option("--max-latency-ms <ms>", "adaptive batching: longest a request waits for batch mates")
    .option("--sample-rate <fraction>", "share of requests recorded in the prediction log, 0 to 1")
    .option("--inference-worker", "run merged batches on a worker thread (off by default)")
    .option("--log-max-age <duration>", "delete this deployment's logged predictions older than this, e.g. 7d, 12h (the server's bound still applies)")
    .option("--log-max-rows <n>", "keep at most the newest n of this deployment's logged predictions (the server's bound still applies)")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, name: string, modelUri: string) =>
        (await deployments()).createDeployment(client, name, modelUri, {
          maxBatchSize: str(o.maxBatchSize),
          maxLatencyMs: str(o.maxLatencyMs),
          sampleRate: str(o.sampleRate),
          logMaxAge: str(o.logMaxAge),
          logMaxRows: str(o.logMaxRows),
          inferenceWorker: o.inferenceWorker === true ? true : undefined,
        }),
      ),
    );
  group
    .command("update")
    .description("change a deployment's options; batching and worker changes reload its versions without failing a request")
    .argument("<name>", "deployment name")
    .option("--max-batch-size <n>", "adaptive batching: most rows merged into one run")
    .option("--max-latency-ms <ms>", "adaptive batching: longest a request waits for batch mates")
    .option("--sample-rate <fraction>", "share of requests recorded in the prediction log, 0 to 1 (applies at once)")
    .option("--inference-worker", "run merged batches on a worker thread")
    .option("--log-max-age <duration>", "delete this deployment's logged predictions older than this, e.g. 7d, 12h (the server's bound still applies)")
    .option("--log-max-rows <n>", "keep at most the newest n of this deployment's logged predictions (the server's bound still applies)")
    .option("--no-inference-worker", "run merged batches on the server's main thread")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, name: string) =>
        (await deployments()).updateDeployment(client, name, {
          maxBatchSize: str(o.maxBatchSize),
          maxLatencyMs: str(o.maxLatencyMs),
          sampleRate: str(o.sampleRate),
          logMaxAge: str(o.logMaxAge),
          logMaxRows: str(o.logMaxRows),
          inferenceWorker: typeof o.inferenceWorker === "boolean" ? o.inferenceWorker : undefined,
        }),
      ),
    );
  group
    .command("list")
    .description("list deployments with their traffic policy")
    .option("--json", "print JSON")
    .action(dataAction(async (client) => (await deployments()).listDeployments(client)));
  group
    .command("show")
    .description("show a deployment: policy, which version served when, and the shadow's comparison report")
    .argument("<name>", "deployment name")
    .option("--json", "print JSON")
    .action(dataAction(async (client, _o, name: string) => (await deployments()).showDeployment(client, name)));
  group
    .command("shadow-report")
    .description("the shadow's comparison with the primary (the live one, else the last saved); --all lists every saved one")
    .argument("<name>", "deployment name")
    .option("--all", "every saved comparison of this deployment, newest first")
    .option("--json", "print JSON")
    .action(dataAction(async (client, o, name: string) => (await deployments()).shadowReport(client, name, { all: o.all === true })));
  group
    .command("canary")
    .description("send a share of traffic to another version (sticky by the x-cairn-routing-key header with --sticky)")
    .argument("<name>", "deployment name")
    .argument("<version>", "version of the deployment's model (or a models:/ URI)")
    .requiredOption("--weight <fraction>", "the canary's share of traffic, 0 to 1")
    .option("--sticky", "keep each routing key (x-cairn-routing-key) on one version (the server's default)")
    .option("--no-sticky", "split every request by weight, even with a routing key")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, name: string, version: string) =>
        (await deployments()).setCanary(client, name, version, { weight: str(o.weight), sticky: typeof o.sticky === "boolean" ? o.sticky : undefined }),
      ),
    );
  group
    .command("shadow")
    .description("mirror a share of traffic to a version whose answers are compared with the primary's, never returned")
    .argument("<name>", "deployment name")
    .argument("<version>", "version of the deployment's model")
    .requiredOption("--share <fraction>", "share of traffic mirrored, 0 to 1")
    .option("--json", "print JSON")
    .action(dataAction(async (client, o, name: string, version: string) => (await deployments()).setShadow(client, name, version, { share: str(o.share) })));
  group
    .command("promote")
    .description("make the canary (or shadow) version the primary")
    .argument("<name>", "deployment name")
    .option("--json", "print JSON")
    .action(dataAction(async (client, _o, name: string) => (await deployments()).promoteDeployment(client, name)));
  group
    .command("rollback")
    .description("back to the previous primary, or drop the canary/shadow")
    .argument("<name>", "deployment name")
    .option("--json", "print JSON")
    .action(dataAction(async (client, _o, name: string) => (await deployments()).rollbackDeployment(client, name)));
  group
    .command("delete")
    .description("stop serving a deployment and delete it")
    .argument("<name>", "deployment name")
    .option("--json", "print JSON")
    .action(dataAction(async (client, _o, name: string) => (await deployments()).deleteDeployment(client, name)));

  program
    .command("predict")
    .description("send a JSON or CSV file to a deployment and print its predictions")
    .argument("<deployment>", "deployment name")
    .requiredOption("--input <file>", "FILE.json (an MLflow scoring body, or an OIP infer request with --protocol oip) or FILE.csv (header row of column names)")
    .option("--protocol <protocol>", "mlflow or oip", "mlflow")
    .option("--request-id <id>", "x-request-id: the key the prediction log records it under (labels join on it)")
    .option("--routing-key <key>", "x-cairn-routing-key: keeps a sticky canary on one version")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, deployment: string) =>
        (await import("./commands/predict.js")).predict(client, deployment, {
          input: str(o.input),
          protocol: str(o.protocol),
          requestId: str(o.requestId),
          routingKey: str(o.routingKey),
        }),
      ),
    );
};
