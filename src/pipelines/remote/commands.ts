import { availableParallelism } from "node:os";
import type { CommandResult } from "../../cli/output.js";
import { PipelineError } from "../errors.js";
import { checkoutPath, openWorkspace, type Workspace } from "../data/workspace.js";
import { openRemote, type RemoteContext } from "./open-remote.js";
import { addRemote, locationOf, readRemotesConfig, removeRemote, setDefaultRemote } from "./remote-config.js";
import type { Remote } from "./remote.js";
import { keyOfPath, type FileKey } from "../data/file-key.js";
import { fetchObjects, pushObjects, type FetchOptions, type TransferReport } from "./transfer.js";
import { targetVersions, type NamedVersion } from "./workspace-files.js";

/**
 * `cairn push|pull|fetch` and `cairn remote …`: the workspace found from cwd, the remote from -r / the config / the
 * tracking server, and a result for the CLI to print. A transfer with failures prints them and exits 1.
 */
/**
 * Transfers in flight by default: 4 per CPU as DVC (batches keep each one busy; more only adds contention, measured:
 * 8 jobs moved 5,000 files faster than 16 or 32 on 2 CPUs), between 4 and 32.
 */
export const DEFAULT_JOBS = Math.max(4, Math.min(32, 4 * availableParallelism()));
export const MAX_JOBS = 128;

export interface TransferFlags {
  cwd: string;
  remote?: string;
  jobs: number;
  trackingUri: string;
  user?: string;
}

export interface TransferData {
  remote: string;
  transferred: number;
  present: number;
  failed: TransferReport["failed"];
  checkedOut?: { restored: string[]; unchanged: string[] };
}

const withRemote = async <T>(flags: TransferFlags, work: (ws: Workspace, remote: Remote) => Promise<T>): Promise<T> => {
  const ws = await openWorkspace(flags.cwd);
  try {
    const context: RemoteContext = { root: ws.root, cairnDir: ws.cairnDir, trackingUri: flags.trackingUri, ...(flags.user !== undefined ? { user: flags.user } : {}) };
    const remote = await openRemote(context, flags.remote);
    try {
      return await work(ws, remote);
    } finally {
      await remote.close();
    }
  } finally {
    ws.close();
  }
};

const MAX_FAILURES_SHOWN = 20;

const result = (verb: string, data: TransferData): CommandResult<TransferData> => {
  const lines = [`${verb} ${data.transferred} object(s) ${verb === "pushed" ? "to" : "from"} '${data.remote}'; ${data.present} already there`];
  if (data.checkedOut !== undefined) lines.push(`checked out ${data.checkedOut.restored.length} path(s), ${data.checkedOut.unchanged.length} unchanged`);
  for (const failure of data.failed.slice(0, MAX_FAILURES_SHOWN)) lines.push(`failed: ${failure.message}`);
  if (data.failed.length > MAX_FAILURES_SHOWN) lines.push(`... and ${data.failed.length - MAX_FAILURES_SHOWN} more failures`);
  return { data, human: { kind: "message", text: lines.join("\n") }, ...(data.failed.length > 0 ? { exitCode: 1 } : {}) };
};

/**
 * Fetch options that remember every received object as verified in the state db (its bytes were hashed on the way
 * in), so the checkout that follows does not hash them again; as the data helper's importObject does.
 */
const fetchOptions = (ws: Workspace, jobs: number): FetchOptions & { commit(): void } => {
  const placed: Array<{ hash: string; key: FileKey }> = [];
  return {
    jobs,
    tmpDir: ws.tmpDir,
    onPlaced: (hash, file) => {
      try {
        placed.push({ hash, key: keyOfPath(file) });
      } catch {
        // Gone already (a concurrent gc cannot run: the lock is held); nothing to remember.
      }
    },
    commit: () => ws.state.markVerified(placed),
  };
};

const infosOf = (versions: readonly NamedVersion[]) => versions.map((version) => version.info);

export const pushCommand = (flags: TransferFlags, targets: readonly string[]): Promise<CommandResult<TransferData>> =>
  withRemote(flags, async (ws, remote) => {
    const versions = await targetVersions(ws, flags.cwd, targets);
    // Under the lock: a gc in another shell must not remove objects while they are being sent.
    const report = await ws.withLock(() => pushObjects(ws.cacheDir, remote, infosOf(versions), flags.jobs));
    return result("pushed", { remote: remote.label, ...report });
  });

export const fetchCommand = (flags: TransferFlags, targets: readonly string[]): Promise<CommandResult<TransferData>> =>
  withRemote(flags, async (ws, remote) => {
    const versions = await targetVersions(ws, flags.cwd, targets);
    const options = fetchOptions(ws, flags.jobs);
    const report = await ws.withLock(async () => {
      const fetched = await fetchObjects(ws.cacheDir, remote, infosOf(versions), options);
      options.commit();
      return fetched;
    });
    return result("fetched", { remote: remote.label, ...report });
  });

/** fetch, then check out every version whose objects are all in the cache (the others are reported by fetch). */
export const pullCommand = (flags: TransferFlags, targets: readonly string[]): Promise<CommandResult<TransferData>> =>
  withRemote(flags, async (ws, remote) => {
    const versions = await targetVersions(ws, flags.cwd, targets);
    return ws.withLock(async () => {
      const options = fetchOptions(ws, flags.jobs);
      const report = await fetchObjects(ws.cacheDir, remote, infosOf(versions), options);
      options.commit();
      const restored: string[] = [];
      const unchanged: string[] = [];
      const failed = [...report.failed];
      const done = new Set<string>();
      for (const version of versions) {
        if (done.has(version.path)) continue;
        done.add(version.path);
        try {
          const outcome = await checkoutPath(ws, version.path, version.info);
          (outcome === "restored" ? restored : unchanged).push(version.path);
        } catch (error) {
          if (!(error instanceof PipelineError)) throw error;
          failed.push({ hash: version.info.hash, message: error.message });
        }
      }
      return result("fetched", { remote: remote.label, transferred: report.transferred, present: report.present, failed, checkedOut: { restored, unchanged } });
    });
  });

export interface RemoteRow {
  name: string;
  url: string;
  default: boolean;
}

export const remoteAdd = async (cwd: string, name: string, url: string, options: { force?: boolean; makeDefault?: boolean }): Promise<CommandResult<RemoteRow>> => {
  const ws = await openWorkspace(cwd);
  try {
    locationOf(url, ws.root);
    await ws.withLock(() => addRemote(ws.cairnDir, name, url, options));
    return { data: { name, url, default: options.makeDefault === true }, human: { kind: "message", text: `remote '${name}' -> ${url}${options.makeDefault ? " (default)" : ""}` } };
  } finally {
    ws.close();
  }
};

export const remoteList = async (cwd: string): Promise<CommandResult<RemoteRow[]>> => {
  const ws = await openWorkspace(cwd);
  try {
    const config = await readRemotesConfig(ws.cairnDir);
    const rows = config.remotes.map((remote) => ({ ...remote, default: remote.name === config.defaultRemote }));
    return {
      data: rows,
      human: {
        kind: "table",
        columns: ["NAME", "URL", "DEFAULT"],
        rows: rows.map((row) => [row.name, row.url, row.default ? "*" : ""]),
        empty: "no remotes (push and pull use the Cairn tracking server)",
      },
    };
  } finally {
    ws.close();
  }
};

export const remoteRemove = async (cwd: string, name: string): Promise<CommandResult<{ name: string }>> => {
  const ws = await openWorkspace(cwd);
  try {
    await ws.withLock(() => removeRemote(ws.cairnDir, name));
    return { data: { name }, human: { kind: "message", text: `removed remote '${name}'` } };
  } finally {
    ws.close();
  }
};

export const remoteDefault = async (cwd: string, name: string | undefined, unset: boolean): Promise<CommandResult<{ default: string | null }>> => {
  const ws = await openWorkspace(cwd);
  try {
    if (!unset && name === undefined) {
      const current = (await readRemotesConfig(ws.cairnDir)).defaultRemote;
      return { data: { default: current ?? null }, human: { kind: "message", text: current ?? "no default remote (the Cairn tracking server is used)" } };
    }
    const chosen = unset ? undefined : name;
    await ws.withLock(() => setDefaultRemote(ws.cairnDir, chosen));
    return { data: { default: chosen ?? null }, human: { kind: "message", text: chosen === undefined ? "default remote unset" : `default remote: '${chosen}'` } };
  } finally {
    ws.close();
  }
};
