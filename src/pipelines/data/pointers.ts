import { readdirSync, readFileSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PipelineError } from "../errors.js";
import { WORKSPACE_DIR } from "./cache-layout.js";
import { parsePointerFile, POINTER_SUFFIX, serializePointerFile, type PointerFile } from "./pointer-file.js";
import { ensureDir, tmpPathIn } from "./cache-objects.js";
import type { Workspace } from "./workspace.js";
import { absoluteOf } from "./workspace-path.js";

/** A pointer file found in the workspace, parsed, with each out's workspace-relative path. */
export interface FoundPointer {
  /** Workspace-relative POSIX path of the `.cairn` file. */
  file: string;
  pointer: PointerFile;
  /** Each out's workspace-relative path, in the pointer's order. */
  paths: string[];
}

/** Folders never searched for pointer files: git's, Cairn's own. */
const SKIPPED_DIRS = new Set([".git", WORKSPACE_DIR]);
/** Pointer files read at most (a workspace has tens, a big one thousands). */
export const MAX_POINTER_FILES = 100_000;
const MAX_POINTER_BYTES = 1024 * 1024;

const joinRel = (folder: string, name: string): string => (folder === "" ? name : `${folder}/${name}`);

export const readPointer = (ws: Workspace, file: string): FoundPointer => {
  const text = readFileSync(absoluteOf(ws.root, file), "utf8");
  if (text.length > MAX_POINTER_BYTES) throw new PipelineError(`malformed pointer file: larger than ${MAX_POINTER_BYTES} bytes`, { file });
  const pointer = parsePointerFile(text, file);
  const folder = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
  return { file, pointer, paths: pointer.outs.map((out) => joinRel(folder, out.path)) };
};

/**
 * Every `*.cairn` pointer file under the workspace root, sorted by path. The data a pointer tracks is not searched
 * (a tracked folder of 100,000 files costs nothing here), nor are `.git` and `.cairn`.
 */
export const findPointers = (ws: Workspace): FoundPointer[] => {
  const found: FoundPointer[] = [];
  const stack = [""];
  while (stack.length > 0) {
    const folder = stack.pop() as string;
    const entries = readdirSync(folder === "" ? ws.root : absoluteOf(ws.root, folder), { withFileTypes: true });
    const tracked = new Set<string>();
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith(POINTER_SUFFIX) || entry.name === POINTER_SUFFIX) continue;
      if (found.length >= MAX_POINTER_FILES) throw new PipelineError(`more than ${MAX_POINTER_FILES} pointer files in the workspace`, { file: ws.root });
      const pointer = readPointer(ws, joinRel(folder, entry.name));
      found.push(pointer);
      for (const path of pointer.paths) tracked.add(path);
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || SKIPPED_DIRS.has(entry.name)) continue;
      const rel = joinRel(folder, entry.name);
      if (!tracked.has(rel)) stack.push(rel);
    }
  }
  return found.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
};

/** Writes a pointer file atomically (tmp + rename). */
export const writePointer = async (ws: Workspace, file: string, pointer: PointerFile): Promise<void> => {
  await ensureDir(ws.tmpDir);
  const tmp = tmpPathIn(ws);
  await writeFile(tmp, serializePointerFile(pointer));
  await rename(tmp, absoluteOf(ws.root, file));
};

/** `/name`: how DVC writes an entry of a .gitignore beside the data (anchored to that folder). */
const ignoreLine = (name: string): string => `/${name}`;

/** Adds `/name` to the .gitignore in the folder of `relPath`, unless it is there. Returns whether it was added. */
export const addToGitignore = async (ws: Workspace, relPath: string): Promise<boolean> => {
  const abs = absoluteOf(ws.root, relPath);
  const file = join(dirname(abs), ".gitignore");
  const line = ignoreLine(relPath.slice(relPath.lastIndexOf("/") + 1));
  let text = "";
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (text.split(/\r?\n/).includes(line)) return false;
  await writeFile(file, `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${line}\n`);
  return true;
};

/** Removes the `/name` line `addToGitignore` wrote. */
export const removeFromGitignore = async (ws: Workspace, relPath: string): Promise<void> => {
  const file = join(dirname(absoluteOf(ws.root, relPath)), ".gitignore");
  const line = ignoreLine(relPath.slice(relPath.lastIndexOf("/") + 1));
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return;
  }
  const lines = text.split("\n");
  const kept = lines.filter((candidate) => candidate.replace(/\r$/, "") !== line);
  if (kept.length !== lines.length) await writeFile(file, kept.join("\n"));
};
