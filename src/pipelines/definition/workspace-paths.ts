import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { isAbsolute, posix, relative, resolve, sep } from "node:path";
import { PipelineError } from "../errors.js";

/**
 * Paths in a pipeline file, made workspace-relative (POSIX separators, the stage's wdir applied) and kept inside the
 * workspace: `../`, an absolute path elsewhere, or a path through a symlink that leads out is refused, naming the
 * stage and the file. A pipeline must never make `repro` read or (worse) delete and rewrite files outside the
 * folder the user pointed it at.
 */
export interface PathWhere {
  file: string;
  stage?: string;
  field: string;
}

const where = (w: PathWhere) => ({ file: w.file, ...(w.stage === undefined ? {} : { stage: w.stage }) });

/** "" is the workspace root itself. */
export const toWorkspacePath = (root: string, wdir: string, raw: string, w: PathWhere): string => {
  if (raw.trim() === "") throw new PipelineError(`${w.field}: empty path`, where(w));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new PipelineError(`${w.field}: '${raw}' is a URL; only paths inside the workspace are supported`, where(w));
  }
  if (raw.includes("\0")) throw new PipelineError(`${w.field}: path contains a NUL character`, where(w));
  let candidate: string;
  if (isAbsolute(raw)) {
    const rel = relative(root, resolve(raw));
    if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new PipelineError(`${w.field}: '${raw}' is outside the workspace`, where(w));
    }
    candidate = rel.split(sep).join("/");
  } else {
    candidate = posix.join(wdir === "" ? "." : wdir, raw);
  }
  const normalized = posix.normalize(candidate).replace(/\/+$/, "");
  if (normalized === ".." || normalized.startsWith("../")) throw new PipelineError(`${w.field}: '${raw}' is outside the workspace`, where(w));
  return normalized === "." ? "" : normalized;
};

/** `a` contains `b` (or is it). "" (the root) contains everything. */
export const pathContains = (outer: string, inner: string): boolean => outer === "" || inner === outer || inner.startsWith(`${outer}/`);

/**
 * Symlink checks: the real location of each path (or of its deepest existing ancestor, for a path not made yet)
 * must be inside the workspace's real location. Results are remembered per path for one load.
 */
export class SymlinkGuard {
  private readonly realRoot: string;
  private readonly cache = new Map<string, string | undefined>();

  constructor(private readonly root: string) {
    this.realRoot = realpathSync.native(root);
  }

  private real(rel: string): string | undefined {
    if (this.cache.has(rel)) return this.cache.get(rel);
    let result: string | undefined;
    try {
      result = realpathSync.native(rel === "" ? this.root : resolve(this.root, rel));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
      const dangling = this.danglingTarget(rel);
      if (dangling !== undefined) {
        this.cache.set(rel, dangling);
        return dangling;
      }
      const parent = posix.dirname(rel);
      result = rel === "" ? undefined : this.real(parent === "." ? "" : parent);
    }
    this.cache.set(rel, result);
    return result;
  }

  /** A symlink whose target does not exist yet: where writing through it would land. */
  private danglingTarget(rel: string): string | undefined {
    if (rel === "") return undefined;
    const absolute = resolve(this.root, rel);
    try {
      if (!lstatSync(absolute).isSymbolicLink()) return undefined;
      const parent = posix.dirname(rel);
      const realParent = this.real(parent === "." ? "" : parent) ?? this.realRoot;
      return resolve(realParent, readlinkSync(absolute));
    } catch {
      return undefined;
    }
  }

  check(rel: string, w: PathWhere): void {
    const real = this.real(rel);
    if (real === undefined) return;
    const inside = relative(this.realRoot, real);
    if (inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      throw new PipelineError(`${w.field}: '${rel}' leads outside the workspace through a symbolic link`, where(w));
    }
  }
}
