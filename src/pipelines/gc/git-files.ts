import { spawn } from "node:child_process";
import path from "node:path";
import { PipelineError } from "../errors.js";
import { POINTER_SUFFIX } from "../data/pointer-file.js";
import { LOCK_FILE } from "../lock/lock-file.js";

/**
 * The pointer and lock files of every git branch and tag, read with three kinds of git process whatever the number
 * of files: `for-each-ref` (the refs), one `ls-tree -r` per distinct commit (the paths), and ONE `cat-file --batch`
 * for every distinct blob. Any failure of git is an error: gc must not treat a reference it could not read as absent.
 */
export interface GitFile {
  /** Where it was found, for messages: "refs/heads/main:data/images.cairn". */
  label: string;
  kind: "pointer" | "lock";
  text: string;
}

interface GitOutput {
  code: number;
  stdout: Buffer;
  stderr: string;
}

const runGit = (cwd: string, args: readonly string[], input?: Buffer): Promise<GitOutput> =>
  new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.once("error", (error) => reject(new PipelineError(`cannot run git: ${error.message}`)));
    child.once("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") }));
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });

const gitOk = async (cwd: string, args: readonly string[], input?: Buffer): Promise<Buffer> => {
  const result = await runGit(cwd, args, input);
  if (result.code !== 0) throw new PipelineError(`git ${args[0] ?? ""} failed (exit ${result.code}): ${result.stderr.trim().split("\n")[0] ?? ""}; nothing was removed`);
  return result.stdout;
};

/** The git work tree's top folder, or undefined when the workspace is not inside a git repository. */
export const gitTopLevel = async (root: string): Promise<string | undefined> => {
  const result = await runGit(root, ["rev-parse", "--show-toplevel"]);
  if (result.code !== 0) {
    if (/not a git repository/i.test(result.stderr)) return undefined;
    throw new PipelineError(`git rev-parse failed: ${result.stderr.trim().split("\n")[0] ?? ""}; nothing was removed`);
  }
  return result.stdout.toString("utf8").trim();
};

export interface RefSelection {
  allBranches: boolean;
  allTags: boolean;
}

/** ref name -> commit id: HEAD (when there is one), and the branches (local and remote-tracking) and tags asked for. */
const commitsOf = async (root: string, selection: RefSelection): Promise<Map<string, string>> => {
  const commits = new Map<string, string>();
  const head = await runGit(root, ["rev-parse", "--verify", "-q", "HEAD^{commit}"]);
  if (head.code === 0) commits.set("HEAD", head.stdout.toString("utf8").trim());
  const patterns = [...(selection.allBranches ? ["refs/heads", "refs/remotes"] : []), ...(selection.allTags ? ["refs/tags"] : [])];
  if (patterns.length === 0) return commits;
  // %(*objectname) is the commit an annotated tag points to; objecttype tells tags of trees or blobs apart.
  const text = (await gitOk(root, ["for-each-ref", "--format=%(objectname) %(objecttype) %(*objectname) %(*objecttype) %(refname)", ...patterns])).toString("utf8");
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const [id, type, peeled, peeledType, ...name] = line.split(" ");
    const refName = name.join(" ");
    if (type === "commit" && id !== undefined) commits.set(refName, id);
    else if (type === "tag" && peeledType === "commit" && peeled !== undefined) commits.set(refName, peeled);
    // A symbolic ref such as refs/remotes/origin/HEAD repeats another ref; tags of blobs or trees hold no files.
  }
  return commits;
};

interface TreeFile {
  label: string;
  kind: "pointer" | "lock";
  blob: string;
}

/** Pointer files anywhere under the workspace's folder of the repository, and its lock file, in one commit. */
const filesOfCommit = async (root: string, prefix: string, ref: string, commit: string): Promise<TreeFile[]> => {
  const listing = await gitOk(root, ["ls-tree", "-r", "-z", "--full-tree", commit]);
  const files: TreeFile[] = [];
  for (const record of listing.toString("utf8").split("\0")) {
    if (record === "") continue;
    const tab = record.indexOf("\t");
    const [, type, blob] = record.slice(0, tab).split(" ");
    const file = record.slice(tab + 1);
    if (type !== "blob" || blob === undefined) continue;
    if (prefix !== "" && !file.startsWith(prefix)) continue;
    const rel = file.slice(prefix.length);
    const base = path.posix.basename(rel);
    if (rel === LOCK_FILE) files.push({ label: `${ref}:${file}`, kind: "lock", blob });
    else if (base.endsWith(POINTER_SUFFIX) && base !== POINTER_SUFFIX) files.push({ label: `${ref}:${file}`, kind: "pointer", blob });
  }
  return files;
};

/** Reads every blob through one `git cat-file --batch`. */
const readBlobs = async (root: string, blobs: readonly string[]): Promise<Map<string, Buffer>> => {
  const contents = new Map<string, Buffer>();
  if (blobs.length === 0) return contents;
  const output = await gitOk(root, ["cat-file", "--batch"], Buffer.from(`${blobs.join("\n")}\n`));
  let offset = 0;
  for (const blob of blobs) {
    const newline = output.indexOf(0x0a, offset);
    if (newline < 0) throw new PipelineError(`git cat-file ended early at ${blob}; nothing was removed`);
    const header = output.subarray(offset, newline).toString("utf8").split(" ");
    if (header[1] !== "blob" || header[2] === undefined) throw new PipelineError(`git cat-file: cannot read ${blob} (${header.join(" ")}); nothing was removed`);
    const size = Number(header[2]);
    const start = newline + 1;
    contents.set(blob, output.subarray(start, start + size));
    offset = start + size + 1;
  }
  return contents;
};

export const gitFiles = async (root: string, selection: RefSelection): Promise<{ files: GitFile[]; refs: number; commits: number }> => {
  const top = await gitTopLevel(root);
  if (top === undefined) return { files: [], refs: 0, commits: 0 };
  const relative = path.relative(top, root).split(path.sep).join("/");
  const prefix = relative === "" ? "" : `${relative}/`;
  const refs = await commitsOf(root, selection);
  const byCommit = new Map<string, string>();
  for (const [ref, commit] of refs) if (!byCommit.has(commit)) byCommit.set(commit, ref);
  const found: TreeFile[] = [];
  for (const [commit, ref] of byCommit) found.push(...(await filesOfCommit(root, prefix, ref, commit)));
  // One blob is read once, under the first name it was found by (the same file in many branches).
  const firstByBlob = new Map<string, TreeFile>();
  for (const file of found) if (!firstByBlob.has(`${file.kind}:${file.blob}`)) firstByBlob.set(`${file.kind}:${file.blob}`, file);
  const blobs = [...new Set([...firstByBlob.values()].map((file) => file.blob))];
  const contents = await readBlobs(root, blobs);
  return {
    files: [...firstByBlob.values()].map((file) => ({ label: file.label, kind: file.kind, text: (contents.get(file.blob) ?? Buffer.alloc(0)).toString("utf8") })),
    refs: refs.size,
    commits: byCommit.size,
  };
};
