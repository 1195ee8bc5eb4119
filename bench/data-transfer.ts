import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { initWorkspace } from "../src/pipelines/data/init-workspace.js";
import { checkoutPath, openWorkspace } from "../src/pipelines/data/workspace.js";
import { manifestHash, serializeManifest, type DirEntry } from "../src/pipelines/data/dir-manifest.js";
import { objectPath } from "../src/pipelines/data/cache-layout.js";
import type { HashInfo } from "../src/pipelines/data/hash-info.js";
import { keyOfPath, type FileKey } from "../src/pipelines/data/file-key.js";
import { FolderRemote } from "../src/pipelines/remote/folder-remote.js";
import type { Remote } from "../src/pipelines/remote/remote.js";
import { ServerRemote } from "../src/pipelines/remote/server-remote.js";
import { fetchObjects, pushObjects } from "../src/pipelines/remote/transfer.js";
import { DEFAULT_JOBS } from "../src/pipelines/remote/commands.js";
import { spawnServer } from "../test/support/spawn-server.js";
import { createHash } from "node:crypto";

/**
 * Issue 13's transfer target: `cairn push` and `cairn pull` of 10,000 small files to a real Cairn server (its own
 * process on loopback, SQLite and a local artifact folder) at >= 1,000 files/s each. Baseline in the same run: the
 * same objects pushed to and fetched from a local-folder remote (a plain copy with the same verification).
 * Pull = fetch into an empty cache + checkout into the workspace; fetch alone is reported too.
 */
const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const FILE_BYTES = Number(process.env.BENCH_FILE_BYTES ?? 1024);
const JOBS = Number(process.env.BENCH_JOBS ?? DEFAULT_JOBS);

const round = (value: number): number => Number(value.toFixed(1));

/** A directory version of FILES random files written straight into a cache (setup, not measured). */
const makeCache = async (cacheDir: string): Promise<HashInfo> => {
  const entries: DirEntry[] = [];
  for (let i = 0; i < FILES; i += 1) {
    const bytes = randomBytes(FILE_BYTES);
    const hash = createHash("sha256").update(bytes).digest("hex");
    const file = objectPath(cacheDir, hash);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes, { mode: 0o444 });
    entries.push({ relpath: `d${i % 100}/f${i}.bin`, sha256: hash, size: FILE_BYTES });
  }
  const manifest = serializeManifest(entries);
  const hash = manifestHash(manifest);
  await writeFile(objectPath(cacheDir, hash), manifest, { mode: 0o444 });
  return { hash, size: FILES * FILE_BYTES, nfiles: FILES };
};

const measure = async (label: string, work: () => Promise<{ failed: unknown[]; transferred: number }>) => {
  const started = performance.now();
  const report = await work();
  const seconds = (performance.now() - started) / 1000;
  if (report.failed.length > 0) throw new Error(`${label}: ${report.failed.length} failures, e.g. ${JSON.stringify(report.failed[0])}`);
  return { seconds: Number(seconds.toFixed(3)), files_per_s: round(FILES / seconds), objects: report.transferred };
};

/** push, then pull (fetch + checkout) into a fresh workspace. */
const roundTrip = async (scratch: string, source: string, info: HashInfo, remote: Remote, name: string) => {
  const push = await measure(`${name} push`, () => pushObjects(source, remote, [info], JOBS));
  const root = path.join(scratch, `pull-${name}`);
  await mkdir(root);
  await initWorkspace(root);
  const ws = await openWorkspace(root);
  try {
    let fetchSeconds = 0;
    const pull = await measure(`${name} pull`, async () => {
      const started = performance.now();
      // As `cairn pull` does: received objects are remembered as verified, so checkout does not hash them again.
      const placed: Array<{ hash: string; key: FileKey }> = [];
      const report = await fetchObjects(ws.cacheDir, remote, [info], { jobs: JOBS, tmpDir: ws.tmpDir, onPlaced: (hash, file) => placed.push({ hash, key: keyOfPath(file) }) });
      ws.state.markVerified(placed);
      fetchSeconds = (performance.now() - started) / 1000;
      await checkoutPath(ws, "data", info);
      return report;
    });
    return { push, pull, fetch_files_per_s: round(FILES / fetchSeconds) };
  } finally {
    ws.close();
  }
};

export const runDataTransferBenchmarks = async () => {
  const scratch = await mkdtemp(path.join(tmpdir(), "cairn-bench-transfer-"));
  const server = await spawnServer(path.join(scratch, "cairn.db"), path.join(scratch, "artifacts"));
  try {
    const source = path.join(scratch, "source-cache");
    const info = await makeCache(source);
    const folder = await roundTrip(scratch, source, info, new FolderRemote("folder", path.join(scratch, "folder-remote")), "folder");
    const cairn = await roundTrip(scratch, source, info, new ServerRemote({ url: server.url, label: "server", env: {} }), "server");
    return {
      files: FILES,
      file_bytes: FILE_BYTES,
      jobs: JOBS,
      target_files_per_s: 1000,
      server: cairn,
      baseline_local_folder: folder,
      ratio_push_server_to_folder: Number((cairn.push.files_per_s / folder.push.files_per_s).toFixed(3)),
      ratio_pull_server_to_folder: Number((cairn.pull.files_per_s / folder.pull.files_per_s).toFixed(3)),
      meets_target: cairn.push.files_per_s >= 1000 && cairn.pull.files_per_s >= 1000,
    };
  } finally {
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
  }
};
