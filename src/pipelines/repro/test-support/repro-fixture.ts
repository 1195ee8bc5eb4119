import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ResolvedOut, ResolvedStage } from "../../definition/resolved-pipeline.js";

/** A temporary git repository holding a Cairn workspace, for repro tests. */
export const makeGitWorkspace = async (prefix: string): Promise<string> => {
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  execFileSync("git", ["init", "-q", root]);
  return root;
};

export const removeWorkspace = (root: string): Promise<void> => rm(root, { recursive: true, force: true });

export const out = (p: string, extra: Partial<ResolvedOut> = {}): ResolvedOut => ({ path: p, kind: "out", cache: true, persist: false, push: true, ...extra });

export const stage = (name: string, cmd: string | string[], extra: Partial<ResolvedStage> = {}): ResolvedStage => ({
  name,
  cmd,
  wdir: "",
  deps: [],
  params: [],
  outs: [],
  frozen: false,
  alwaysChanged: false,
  ...extra,
});

/** Every file under `dir` with its bytes (missing folder: empty), to prove a failed repro changed nothing. */
export const snapshotTree = async (dir: string): Promise<Record<string, string>> => {
  const result: Record<string, string> = {};
  const walk = async (current: string, prefix: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) await walk(path.join(current, entry.name), rel);
      else result[rel] = (await readFile(path.join(current, entry.name))).toString("base64");
    }
  };
  await walk(dir, "");
  return result;
};

export const readText = (root: string, rel: string): Promise<string> => readFile(path.join(root, rel), "utf8");
export const readLines = async (root: string, rel: string): Promise<string[]> =>
  (await readFile(path.join(root, rel), "utf8").catch(() => "")).split("\n").filter((line) => line !== "");
export const write = async (root: string, rel: string, text: string): Promise<void> => {
  await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await writeFile(path.join(root, rel), text);
};
export const exists = async (root: string, rel: string): Promise<boolean> =>
  stat(path.join(root, rel)).then(
    () => true,
    () => false,
  );
