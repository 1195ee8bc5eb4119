import { initWorkspace } from "../../../pipelines/data/init-workspace.js";
import type { CommandResult } from "../../output.js";

/** `cairn init [--force]`: a workspace in the current folder. */
export const initCommand = async (cwd: string, options: { force: boolean }): Promise<CommandResult> => {
  const result = await initWorkspace(cwd, { force: options.force });
  const nested = result.existing !== undefined && result.existing !== result.root ? ` (nested in ${result.existing})` : "";
  return {
    data: { root: result.root, existing: result.existing ?? null },
    human: {
      kind: "message",
      text: `Initialized a Cairn workspace in ${result.root}${nested}.\nCommit .cairn/config.yaml and .cairn/.gitignore; track data with \`cairn add PATH\`.`,
    },
  };
};
