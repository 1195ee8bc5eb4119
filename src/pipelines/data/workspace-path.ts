import { lstatSync, realpathSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { PipelineError } from "../errors.js";
import { WORKSPACE_DIR } from "./cache-layout.js";

/**
 * Turns a path a user or a pipeline file gave into a workspace-relative POSIX path, refusing anything outside the
 * workspace: `..` escapes, absolute paths elsewhere, a symlinked folder on the way that leads out, and the `.cairn`
 * folder itself. `base` is the folder a relative path is relative to (the workspace root by default, the cwd for
 * CLI arguments).
 */
export const toWorkspaceRelative = (root: string, path: string, base: string = root): string => {
  if (path.length === 0 || path.includes("\0") || path.length > 4096) throw new PipelineError("expected a path inside the workspace", { file: path });
  const absolute = isAbsolute(path) ? resolve(path) : resolve(base, path);
  const rel = relative(root, absolute);
  if (rel === "") throw new PipelineError("the workspace root itself cannot be tracked; name a file or folder inside it", { file: path });
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new PipelineError("is outside the workspace", { file: path });
  const posix = rel.split(sep).join("/");
  if (posix === WORKSPACE_DIR || posix.startsWith(`${WORKSPACE_DIR}/`)) throw new PipelineError(`is inside ${WORKSPACE_DIR}/, which Cairn manages`, { file: path });
  checkNoSymlinkEscape(root, posix, path);
  return posix;
};

/**
 * Every existing folder on the way from the root to the path must stay inside the workspace once symlinks are
 * resolved (the last component itself may be a symlink: links into the cache are how workspaces share bytes, and
 * hashing refuses links that lead out).
 */
const checkNoSymlinkEscape = (root: string, posix: string, shown: string): void => {
  const realRoot = realpathSync(root);
  const parts = posix.split("/");
  let current = root;
  for (let index = 0; index < parts.length - 1; index += 1) {
    current = join(current, parts[index] ?? "");
    let isLink = false;
    try {
      isLink = lstatSync(current).isSymbolicLink();
    } catch {
      return; // does not exist (yet): nothing further can escape through it
    }
    if (isLink && !isInside(realRoot, realpathSync(current))) throw new PipelineError(`is outside the workspace (through the symlink ${parts.slice(0, index + 1).join("/")})`, { file: shown });
  }
};

export const isInside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
};

/** The absolute path of a workspace-relative POSIX path. */
export const absoluteOf = (root: string, relPath: string): string => join(root, ...relPath.split("/"));
