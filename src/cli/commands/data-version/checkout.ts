import { PipelineError } from "../../../pipelines/errors.js";
import { hasObject, readManifestObject } from "../../../pipelines/data/cache-objects.js";
import { isDirHash } from "../../../pipelines/data/hash-info.js";
import { exists } from "../../../pipelines/data/pointer-status.js";
import { scanPath } from "../../../pipelines/data/scan-path.js";
import { checkoutPath, type Workspace } from "../../../pipelines/data/workspace.js";
import { parseLinkTypes, type LinkType } from "../../../pipelines/data/workspace-config.js";
import { absoluteOf } from "../../../pipelines/data/workspace-path.js";
import { UsageError } from "../../errors.js";
import type { CommandResult } from "../../output.js";
import { inWorkspace } from "./open.js";
import { resolveTargets, type TrackedOut } from "./targets.js";

type Outcome = "restored" | "unchanged" | "refused" | "failed";

interface CheckoutRow {
  path: string;
  hash: string;
  outcome: Outcome;
  /** Why it was refused or failed. */
  reason?: string;
}

/** Files named in a refusal: enough to find them, not a flood. */
const MAX_NAMED = 10;


/**
 * Workspace files a checkout would overwrite or delete whose bytes are in no cache object: changes the user would
 * lose. Content that is in the cache (a previous version, after `git checkout` of older pointer files) is safe to
 * replace, as in DVC.
 */
const unsavedChanges = async (ws: Workspace, out: TrackedOut): Promise<string[]> => {
  if (!exists(absoluteOf(ws.root, out.path))) return [];
  const scan = await scanPath(ws, out.path);
  if (scan.info.hash === out.info.hash) return [];
  let wanted = new Map<string, string>();
  if (isDirHash(out.info.hash) && hasObject(ws, out.info.hash)) {
    wanted = new Map((await readManifestObject(ws, out.info.hash, out.path)).map((entry) => [entry.relpath, entry.sha256]));
  } else if (scan.manifest === undefined) {
    wanted.set("", out.info.hash);
  }
  return scan.files
    .filter((file) => wanted.get(file.relpath) !== file.hash && !hasObject(ws, file.hash))
    .map((file) => (file.relpath === "" ? out.path : `${out.path}/${file.relpath}`));
};

/**
 * `cairn checkout [TARGETS...] [--link-type T] [--force]`: restores tracked paths from the cache. A path holding
 * changes that are not in the cache is left alone (named, exit 1) unless --force.
 */
export const checkoutCommand = async (cwd: string, targets: readonly string[], options: { linkType?: string; force: boolean }): Promise<CommandResult> => {
  let linkTypes: LinkType[] | undefined;
  if (options.linkType !== undefined) {
    try {
      linkTypes = parseLinkTypes(options.linkType, "--link-type", "command line");
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/^command line: /, ""));
    }
  }
  return inWorkspace(cwd, async (ws) =>
    ws.withLock(async () => {
      const rows: CheckoutRow[] = [];
      for (const out of resolveTargets(ws, cwd, targets)) {
        const row: CheckoutRow = { path: out.path, hash: out.info.hash, outcome: "unchanged" };
        try {
          const unsaved = options.force ? [] : await unsavedChanges(ws, out);
          if (unsaved.length > 0) {
            const named = unsaved.slice(0, MAX_NAMED).join(", ") + (unsaved.length > MAX_NAMED ? ` and ${unsaved.length - MAX_NAMED} more` : "");
            row.outcome = "refused";
            row.reason = `has changes that are not in the cache (${named}); \`cairn add\` them or use --force to discard them`;
          } else {
            row.outcome = await checkoutPath(ws, out.path, out.info, linkTypes === undefined ? {} : { linkTypes });
          }
        } catch (error) {
          if (!(error instanceof PipelineError)) throw error;
          row.outcome = "failed";
          row.reason = error.message;
        }
        rows.push(row);
      }
      const bad = rows.filter((row) => row.outcome === "refused" || row.outcome === "failed");
      const lines = rows.map((row) =>
        row.outcome === "refused" ? `refused   ${row.path}: ${row.reason}` : row.outcome === "failed" ? `failed    ${row.reason}` : `${row.outcome.padEnd(9)} ${row.path}`,
      );
      return {
        data: { outs: rows },
        human: { kind: "message", text: lines.length === 0 ? "Nothing is tracked (no pointer files)." : lines.join("\n") },
        ...(bad.length > 0 ? { exitCode: 1 } : {}),
      };
    }),
  );
};
