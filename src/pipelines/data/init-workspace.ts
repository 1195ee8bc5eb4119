import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { PipelineError } from "../errors.js";
import { CACHE_DIR, CONFIG_FILE, STATE_DB, TMP_DIR, WORKSPACE_DIR } from "./cache-layout.js";
import { defaultConfig, serializeWorkspaceConfig } from "./workspace-config.js";
import { findWorkspaceRoot } from "./workspace.js";

/** `.cairn/.gitignore`: the cache, scratch space and the machine-local state db stay out of git; the config is shared. */
export const CAIRN_GITIGNORE = `/${CACHE_DIR}/\n/${TMP_DIR}/\n/${STATE_DB}*\n`;

export interface InitResult {
  root: string;
  /** The workspace this one is nested in, or that was re-initialized, when --force allowed it. */
  existing: string | undefined;
}

/**
 * `cairn init`: creates `.cairn/` with a default config.yaml and its .gitignore in `dir`. Refuses when `dir` is in a
 * workspace already (itself or a parent folder), unless `force`: then a nested workspace is created, or this one's
 * config and .gitignore are rewritten (its cache and state are kept). Works in a git repository and outside one.
 */
export const initWorkspace = async (dir: string, options: { force?: boolean } = {}): Promise<InitResult> => {
  const root = resolve(dir);
  const existing = findWorkspaceRoot(root);
  if (existing !== undefined && options.force !== true) {
    throw new PipelineError(`already inside the Cairn workspace ${existing} (use --force to initialize anyway)`, { file: root });
  }
  const cairnDir = join(root, WORKSPACE_DIR);
  await mkdir(join(cairnDir, TMP_DIR), { recursive: true });
  await mkdir(join(cairnDir, CACHE_DIR), { recursive: true });
  await writeFile(join(cairnDir, CONFIG_FILE), serializeWorkspaceConfig(defaultConfig()));
  await writeFile(join(cairnDir, ".gitignore"), CAIRN_GITIGNORE);
  return { root, existing };
};
