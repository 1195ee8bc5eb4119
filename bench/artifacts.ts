import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, open, readFile, rm, unlink } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { openLocalArtifactStore } from "../src/stores/artifact-stores/local/index.js";
import { createS3Client } from "../src/stores/artifact-stores/s3/s3-client.js";
import { spawnServer, type ServerProcess } from "../test/support/spawn-server.js";

/**
 * Artifact transfer targets of issue 14, each against a baseline measured in the same run:
 *  (a) through Cairn's S3 store (server in its own process, s3rver in a third): a 1 GiB upload and a 1 GiB download
 *      over the HTTP proxy routes, against the AWS SDK alone (lib-storage Upload, GetObject) to the same s3rver;
 *      target: each within 1.5x. The server's RSS growth over the round trip is sampled (target < 100 MB).
 *  (b) through the local store: a 500 MiB upload over HTTP against writing the same bytes to a file on the same disk
 *      (fsynced, as the store makes every artifact durable); target: within 1.5x.
 * Each figure is the median of BENCH_REPEATS runs (default 3). BENCH_S3_BYTES / BENCH_LOCAL_BYTES shrink them.
 */
const S3_BYTES = Number(process.env.BENCH_S3_BYTES ?? 1024 * 1024 * 1024);
const LOCAL_BYTES = Number(process.env.BENCH_LOCAL_BYTES ?? 500 * 1024 * 1024);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const CHUNK = 1024 * 1024;
const BUCKET = "cairn-bench";
const ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** The same bytes every time, without allocating beyond one chunk per yield. */
async function* generated(total: number): AsyncGenerator<Buffer> {
  const pattern = Buffer.alloc(CHUNK);
  for (let index = 0; index < CHUNK; index += 1) pattern[index] = (index * 31 + 7) & 0xff;
  for (let offset = 0; offset < total; offset += CHUNK) yield pattern.subarray(0, Math.min(CHUNK, total - offset));
}

const timed = async (work: () => Promise<void>): Promise<number> => {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
};

const httpUpload = (url: URL, size: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: "PUT", path: url.pathname, headers: { "content-length": String(size) } });
    req.on("error", reject);
    req.on("response", (response: IncomingMessage) => {
      response.resume();
      response.on("end", () => (response.statusCode === 200 ? resolve() : reject(new Error(`upload answered ${response.statusCode}`))));
    });
    void pipeline(Readable.from(generated(size)), req).catch(reject);
  });

const httpDownload = (url: URL): Promise<number> =>
  new Promise((resolve, reject) => {
    httpRequest(url, (response) => {
      let bytes = 0;
      response.on("data", (chunk: Buffer) => (bytes += chunk.length));
      response.on("end", () => resolve(bytes));
      response.on("error", reject);
    })
      .on("error", reject)
      .end();
  });

/** The resident set of another process, from /proc (Linux). */
const rssOf = async (pid: number): Promise<number> => {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
};

const sampleRss = (pid: number): { stop: () => Promise<number> } => {
  let peak = 0;
  const timer = setInterval(() => {
    void rssOf(pid).then((rss) => (peak = Math.max(peak, rss)));
  }, 50);
  return {
    stop: async () => {
      clearInterval(timer);
      return Math.max(peak, await rssOf(pid));
    },
  };
};

const spawnS3rver = async (): Promise<{ endpoint: string; child: ChildProcess; stop: () => Promise<void> }> => {
  const main = fileURLToPath(new URL("./s3rver-main.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", main, BUCKET], { stdio: ["ignore", "pipe", "inherit"] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  return {
    endpoint,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
};

const createRun = async (server: ServerProcess): Promise<string> => {
  const response = await fetch(`${server.url}/api/2.0/mlflow/runs/create`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"experiment_id":"0"}' });
  const body = (await response.json()) as { run: { info: { run_id: string } } };
  return `0/${body.run.info.run_id}/artifacts`;
};

const s3Benchmark = async (dir: string): Promise<Record<string, unknown>> => {
  const s3 = await spawnS3rver();
  const settings = { endpointUrl: s3.endpoint, region: "us-east-1", credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } };
  const env = { MLFLOW_S3_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };
  const server = await spawnServer(path.join(dir, "s3.db"), `s3://${BUCKET}/artifacts`, { env });
  const client = createS3Client(settings);
  try {
    const runPath = await createRun(server);
    const sdkUp: number[] = [];
    const sdkDown: number[] = [];
    const cairnUp: number[] = [];
    const cairnDown: number[] = [];
    let rssGrowth = 0;
    const perRun: Record<string, unknown>[] = [];
    for (let round_ = 0; round_ < REPEATS; round_ += 1) {
      // The baseline: the same bytes straight through the SDK (same part size and parallelism as the store's).
      sdkUp.push(
        await timed(async () => {
          await new Upload({ client, params: { Bucket: BUCKET, Key: "baseline/blob.bin", Body: Readable.from(generated(S3_BYTES)) }, partSize: 8 * 1024 * 1024, queueSize: 4 }).done();
        }),
      );
      sdkDown.push(
        await timed(async () => {
          const answer = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "baseline/blob.bin" }));
          for await (const _chunk of answer.Body as Readable) void _chunk;
        }),
      );
      const url = new URL(`${server.url}${ARTIFACTS}/${runPath}/blob-${round_}.bin`);
      const pid = server.child.pid ?? 0;
      const before = await rssOf(pid);
      // Sampled per half, so the report says which direction grows the process.
      const upSampler = sampleRss(pid);
      cairnUp.push(await timed(() => httpUpload(url, S3_BYTES)));
      const upPeak = await upSampler.stop();
      const downSampler = sampleRss(pid);
      cairnDown.push(
        await timed(async () => {
          const bytes = await httpDownload(url);
          if (bytes !== S3_BYTES) throw new Error(`downloaded ${bytes} bytes, expected ${S3_BYTES}`);
        }),
      );
      const downPeak = await downSampler.stop();
      const growth = Math.max(upPeak, downPeak) - before;
      rssGrowth = Math.max(rssGrowth, growth);
      perRun.push({
        upload_ratio: round((cairnUp.at(-1) ?? 0) / (sdkUp.at(-1) ?? 1)),
        download_ratio: round((cairnDown.at(-1) ?? 0) / (sdkDown.at(-1) ?? 1)),
        cairn_up_s: round(cairnUp.at(-1) ?? 0),
        sdk_up_s: round(sdkUp.at(-1) ?? 0),
        cairn_down_s: round(cairnDown.at(-1) ?? 0),
        sdk_down_s: round(sdkDown.at(-1) ?? 0),
        rss_before_mb: round(before / 1048576, 1),
        rss_growth_upload_mb: round((upPeak - before) / 1048576, 1),
        rss_growth_download_mb: round((downPeak - before) / 1048576, 1),
        load_average: (await readFile("/proc/loadavg", "utf8")).split(" ")[0],
      });
    }
    const up = { cairn_s: round(median(cairnUp)), sdk_s: round(median(sdkUp)) };
    const down = { cairn_s: round(median(cairnDown)), sdk_s: round(median(sdkDown)) };
    return {
      bytes: S3_BYTES,
      upload: { ...up, ratio: round(up.cairn_s / up.sdk_s), mib_per_s: round(S3_BYTES / 1048576 / up.cairn_s, 1), target: "<= 1.5x the SDK alone" },
      download: { ...down, ratio: round(down.cairn_s / down.sdk_s), mib_per_s: round(S3_BYTES / 1048576 / down.cairn_s, 1), target: "<= 1.5x the SDK alone" },
      server_rss_growth_mb: round(rssGrowth / 1048576, 1),
      rss_target: "< 100 MB for the round trip",
      per_run: perRun,
    };
  } finally {
    client.destroy();
    await server.stop();
    await s3.stop();
  }
};

/** The baseline of (b): the same bytes to a file in the same folder, fsynced, then removed. */
const writeToDisk = async (file: string, size: number): Promise<void> => {
  await pipeline(Readable.from(generated(size)), createWriteStream(file, { highWaterMark: CHUNK }));
  const handle = await open(file, "r");
  await handle.sync();
  await handle.close();
};

const localBenchmark = async (dir: string): Promise<Record<string, unknown>> => {
  const artifacts = path.join(dir, "artifacts");
  const server = await spawnServer(path.join(dir, "local.db"), artifacts);
  try {
    const runPath = await createRun(server);
    const cairn: number[] = [];
    const disk: number[] = [];
    const diskNoSync: number[] = [];
    // Where the time goes: the store's write alone (no HTTP), and the sha256 it computes for the audit event alone.
    const storeOnly: number[] = [];
    const hashOnly: number[] = [];
    const store = await openLocalArtifactStore(path.join(dir, "store-only"));
    const baseline = async (round_: number): Promise<void> => {
      const file = path.join(artifacts, `baseline-${round_}.bin`);
      disk.push(await timed(() => writeToDisk(file, LOCAL_BYTES)));
      await unlink(file);
      diskNoSync.push(await timed(() => pipeline(Readable.from(generated(LOCAL_BYTES)), createWriteStream(file, { highWaterMark: CHUNK }))));
      await unlink(file);
      storeOnly.push(await timed(async () => void (await store.write(`x-${round_}.bin`, generated(LOCAL_BYTES)))));
      await store.delete(`x-${round_}.bin`);
      hashOnly.push(
        await timed(async () => {
          const hash = createHash("sha256");
          for await (const chunk of generated(LOCAL_BYTES)) hash.update(chunk);
          hash.digest();
        }),
      );
    };
    for (let round_ = 0; round_ < REPEATS; round_ += 1) {
      // Alternating which goes first, so the page cache's write-back of one run does not always slow the other.
      if (round_ % 2 === 0) await baseline(round_);
      cairn.push(await timed(() => httpUpload(new URL(`${server.url}${ARTIFACTS}/${runPath}/blob-${round_}.bin`), LOCAL_BYTES)));
      if (round_ % 2 === 1) await baseline(round_);
    }
    const figures = {
      cairn_s: round(median(cairn)),
      disk_s: round(median(disk)),
      disk_without_fsync_s: round(median(diskNoSync)),
      store_write_without_http_s: round(median(storeOnly)),
      sha256_alone_s: round(median(hashOnly)),
    };
    return {
      bytes: LOCAL_BYTES,
      upload: {
        ...figures,
        ratio: round(figures.cairn_s / figures.disk_s),
        ratio_to_unsynced_write: round(figures.cairn_s / figures.disk_without_fsync_s),
        mib_per_s: round(LOCAL_BYTES / 1048576 / figures.cairn_s, 1),
        target: "<= 1.5x writing the same bytes (fsynced, as the store makes each artifact durable)",
      },
    };
  } finally {
    await server.stop();
  }
};

export const runArtifactBenchmarks = async (): Promise<Record<string, unknown>> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-artifacts-"));
  try {
    const which = process.env.BENCH_ARTIFACTS ?? "local,s3";
    return {
      ...(which.includes("local") ? { local_store: await localBenchmark(dir) } : {}),
      ...(which.includes("s3") ? { s3_store: await s3Benchmark(dir) } : {}),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
