import { openWorkspace, type Workspace } from "../../../pipelines/data/workspace.js";

/** Opens the workspace around `cwd` for one command and closes it (state db included) whatever happens. */
export const inWorkspace = async <T>(cwd: string, run: (ws: Workspace) => Promise<T>): Promise<T> => {
  const ws = await openWorkspace(cwd);
  try {
    return await run(ws);
  } finally {
    ws.close();
  }
};
