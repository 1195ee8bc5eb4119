import { lstat, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { ResolvedStage } from "../definition/resolved-pipeline.js";

/**
 * Which of a stage's outputs are copied into its run's artifacts: its plots, and its outs and metrics with
 * `cache: false` (small files that are not in the data cache, so the run is where they can be seen again). Cached outs
 * are data versions: they appear as dataset inputs, by hash, and are never uploaded twice.
 */
export const MAX_ARTIFACT_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_ARTIFACT_FILES = 100;
export const MAX_ARTIFACT_TOTAL_BYTES = 50 * 1024 * 1024;

export interface ArtifactFile {
  local: string;
  /** The workspace-relative POSIX path: where it lands under the run's artifact root. */
  artifactPath: string;
}

const inside = (parent: string, child: string): boolean => {
  const relative = path.relative(parent, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
};

export const artifactOuts = (stage: ResolvedStage): string[] => stage.outs.filter((out) => out.kind === "plot" || !out.cache).map((out) => out.path);

/**
 * The files to upload for a stage, within the bounds above; `notes` names each one left out and why. A symlink is
 * followed only when it resolves inside the workspace or the cache (a link type of `cairn checkout`), never to a
 * file elsewhere on the machine.
 */
export const stageArtifactFiles = async (
  root: string,
  stage: ResolvedStage,
  allowedRoots: readonly string[] = [],
): Promise<{ files: ArtifactFile[]; notes: string[] }> => {
  const realRoots = await Promise.all([root, ...allowedRoots].map((dir) => realpath(dir).catch(() => path.resolve(dir))));
  const files: ArtifactFile[] = [];
  const notes: string[] = [];
  let total = 0;
  let full = false;
  const consider = async (relPath: string, depth: number): Promise<void> => {
    if (full) return;
    const local = path.join(root, ...relPath.split("/"));
    let info = await lstat(local).catch(() => undefined);
    if (info === undefined) return; // a failed stage's outs, or an out the command did not write
    if (info.isSymbolicLink()) {
      const target = await realpath(local).catch(() => undefined);
      if (target === undefined || !realRoots.some((dir) => inside(dir, target))) {
        notes.push(`artifact ${relPath}: a link out of the workspace, not uploaded`);
        return;
      }
      info = await stat(target);
    }
    if (info.isDirectory()) {
      if (depth >= 32) {
        notes.push(`artifact ${relPath}: nested too deep, not uploaded`);
        return;
      }
      const entries = await readdir(local, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) await consider(`${relPath}/${entry.name}`, depth + 1);
      return;
    }
    if (!info.isFile()) return;
    if (info.size > MAX_ARTIFACT_FILE_BYTES) {
      notes.push(`artifact ${relPath}: ${info.size} bytes, more than ${MAX_ARTIFACT_FILE_BYTES}, not uploaded`);
      return;
    }
    if (files.length >= MAX_ARTIFACT_FILES || total + info.size > MAX_ARTIFACT_TOTAL_BYTES) {
      notes.push(`artifact ${relPath} and the rest: over the stage's bound of ${MAX_ARTIFACT_FILES} files or ${MAX_ARTIFACT_TOTAL_BYTES} bytes, not uploaded`);
      full = true;
      return;
    }
    total += info.size;
    files.push({ local, artifactPath: relPath });
  };
  for (const relPath of artifactOuts(stage)) await consider(relPath, 0);
  return { files, notes };
};
