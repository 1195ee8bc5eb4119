import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { PipelineError } from "../errors.js";
import { CACHE_DIR, objectPath, WORKSPACE_DIR } from "../data/cache-layout.js";
import { hashBytes } from "../data/file-hash.js";
import { isDirHash } from "../data/hash-info.js";
import { LOCK_FILE, parseLockFile } from "../lock/lock-file.js";

/**
 * Where `params diff` and `metrics show|diff` read files from: the workspace, or a git revision through
 * `git show REV:./path` (nothing is checked out, the workspace is never touched). A revision is verified first so
 * that a typo is "unknown revision", not a table of missing values.
 */
export interface FileSource {
  /** "workspace", or the revision as the user gave it. */
  label: string;
  /** The file's text, or undefined when it does not exist there. */
  read(relPath: string): Promise<string | undefined>;
}

/** Params and metrics files are small; a larger one is refused rather than read into memory. */
export const MAX_COMPARED_FILE_BYTES = 16 * 1024 * 1024;

const git = (root: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((done) => {
    execFile("git", args, { cwd: root, maxBuffer: MAX_COMPARED_FILE_BYTES + 1024, encoding: "utf8", env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : -1;
      const tooBig = error !== null && /maxBuffer/i.test(error.message);
      done({ code: tooBig ? -2 : code, stdout, stderr: tooBig ? "too large" : stderr });
    });
  });

export const workspaceSource = (root: string): FileSource => ({
  label: "workspace",
  async read(relPath) {
    try {
      const text = await readFile(resolve(root, relPath), "utf8");
      if (text.length > MAX_COMPARED_FILE_BYTES) throw new PipelineError(`larger than ${MAX_COMPARED_FILE_BYTES} bytes`, { file: relPath });
      return text;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return undefined;
      throw error;
    }
  },
});

/** A git revision of the repository holding `root`; PipelineError when git has no such commit. */
export const gitSource = async (root: string, rev: string): Promise<FileSource> => {
  if (rev === "" || rev.startsWith("-") || rev.includes("\0") || rev.length > 256) throw new PipelineError(`unknown revision '${rev}'`);
  const verified = await git(root, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  if (verified.code !== 0) {
    const inside = await git(root, ["rev-parse", "--is-inside-work-tree"]);
    if (inside.code !== 0) throw new PipelineError(`cannot read revision '${rev}': ${root} is not in a git repository`);
    throw new PipelineError(`unknown revision '${rev}'`);
  }
  const commit = verified.stdout.trim();
  let lock: Promise<Map<string, string>> | undefined;
  return {
    label: rev,
    async read(relPath) {
      const shown = await git(root, ["show", `${commit}:./${relPath}`]);
      if (shown.code === 0) return shown.stdout;
      if (shown.code === -2) throw new PipelineError(`larger than ${MAX_COMPARED_FILE_BYTES} bytes at revision '${rev}'`, { file: relPath });
      // Not in that commit: a cached output (metrics.json is one by default) is versioned by the commit's lock file
      // instead, and its bytes are in the cache, as DVC reads metrics of a revision.
      lock ??= lockedOuts(root, commit);
      const hash = (await lock).get(relPath);
      return hash === undefined ? undefined : readCachedText(root, hash, relPath, rev);
    },
  };
};

/** path -> file hash of every out in the commit's cairn.lock (none when it has no lock file). */
const lockedOuts = async (root: string, commit: string): Promise<Map<string, string>> => {
  const shown = await git(root, ["show", `${commit}:./${LOCK_FILE}`]);
  if (shown.code !== 0) return new Map();
  const lock = parseLockFile(shown.stdout, `${LOCK_FILE} at ${commit.slice(0, 12)}`);
  return new Map(Object.values(lock.stages).flatMap((stage) => stage.outs.filter((out) => !isDirHash(out.hash)).map((out) => [out.path, out.hash] as const)));
};

/** A cache object's text, checked against its name; undefined when the cache does not hold it (not fetched). */
const readCachedText = async (root: string, hash: string, relPath: string, rev: string): Promise<string | undefined> => {
  const object = objectPath(join(root, WORKSPACE_DIR, CACHE_DIR), hash);
  const size = (await stat(object).catch(() => undefined))?.size;
  if (size === undefined) return undefined;
  if (size > MAX_COMPARED_FILE_BYTES) throw new PipelineError(`larger than ${MAX_COMPARED_FILE_BYTES} bytes at revision '${rev}'`, { file: relPath });
  const bytes = await readFile(object);
  if (hashBytes(bytes) !== hash) throw new PipelineError(`the cache object ${hash} recorded for it at revision '${rev}' is corrupted`, { file: relPath });
  return bytes.toString("utf8");
};

/** DVC's defaults: no revision is HEAD against the workspace; one is that revision against the workspace. */
export const comparedSources = async (root: string, revs: readonly string[]): Promise<[FileSource, FileSource]> => {
  const [a, b] = revs;
  return [await gitSource(root, a ?? "HEAD"), b === undefined ? workspaceSource(root) : await gitSource(root, b)];
};
