import type { HashInfo } from "../data/hash-info.js";
import type { ResolvedStage } from "../definition/resolved-pipeline.js";
import type { LockStage } from "../lock/lock-file.js";
import { canonicalJson } from "../run-cache/run-cache-key.js";

/** A path as found in the workspace now: its version, or "missing". */
export type CurrentVersion = HashInfo | "missing";

/** Param values the stage uses now, in the lock file's shape: params file -> key path -> value. */
export type ParamValues = Record<string, Record<string, unknown>>;

export interface StageSnapshot {
  deps: Map<string, CurrentVersion>;
  outs: Map<string, CurrentVersion>;
  params: ParamValues;
}

/** How a param is named to a person: its key path, with its file when that is not the default params.yaml. */
export const paramLabel = (file: string, key: string): string => (file === "params.yaml" ? key : `${file}:${key}`);

const sameCmd = (a: string | string[], b: string | string[]): boolean => canonicalJson(a) === canonicalJson(b);

/**
 * Why a stage must run again, compared with its lock entry (DVC's rules): no entry; the command; the set of
 * dependencies or one's hash; a param value; an output missing, changed, added or removed; `always_changed`. An empty
 * list: the stage is up to date. Frozen stages are the caller's business (they never run, whatever this says).
 */
export const stageChanges = (stage: ResolvedStage, lock: LockStage | undefined, now: StageSnapshot): string[] => {
  const reasons: string[] = [];
  if (stage.alwaysChanged) reasons.push("always changed");
  if (lock === undefined) {
    reasons.push("never ran (no lock entry)");
    return reasons;
  }
  if (!sameCmd(stage.cmd, lock.cmd)) reasons.push("cmd changed");

  const lockedDeps = new Map(lock.deps.map((entry) => [entry.path, entry]));
  for (const dep of stage.deps) {
    const locked = lockedDeps.get(dep);
    const current = now.deps.get(dep) ?? "missing";
    if (current === "missing") reasons.push(`dep ${dep} missing`);
    else if (locked === undefined) reasons.push(`dep ${dep} added`);
    else if (locked.hash !== current.hash) reasons.push(`dep ${dep} modified`);
  }
  const declaredDeps = new Set(stage.deps);
  for (const entry of lock.deps) if (!declaredDeps.has(entry.path)) reasons.push(`dep ${entry.path} removed`);

  for (const [file, values] of Object.entries(now.params)) {
    const locked = lock.params[file] ?? {};
    for (const [key, value] of Object.entries(values)) {
      if (!(key in locked)) reasons.push(`param ${paramLabel(file, key)} added`);
      else if (canonicalJson(locked[key]) !== canonicalJson(value)) reasons.push(`param ${paramLabel(file, key)} changed`);
    }
  }
  for (const [file, values] of Object.entries(lock.params)) {
    const current = now.params[file] ?? {};
    for (const key of Object.keys(values)) if (!(key in current)) reasons.push(`param ${paramLabel(file, key)} removed`);
  }

  const lockedOuts = new Map(lock.outs.map((entry) => [entry.path, entry]));
  for (const out of stage.outs) {
    const locked = lockedOuts.get(out.path);
    const current = now.outs.get(out.path) ?? "missing";
    if (current === "missing") reasons.push(`out ${out.path} missing`);
    else if (locked === undefined) reasons.push(`out ${out.path} added`);
    else if (locked.hash !== current.hash) reasons.push(`out ${out.path} modified`);
  }
  const declaredOuts = new Set(stage.outs.map((out) => out.path));
  for (const entry of lock.outs) if (!declaredOuts.has(entry.path)) reasons.push(`out ${entry.path} removed`);
  return reasons;
};
