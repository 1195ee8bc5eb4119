import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { initWorkspace } from "../init-workspace.js";
import { openWorkspace, type Workspace } from "../workspace.js";

/** A fresh workspace in a temporary folder (with `cache.type` set when given); remove() closes and deletes it. */
export interface TempWorkspace {
  dir: string;
  ws: Workspace;
  write(relPath: string, content: string | Buffer): Promise<string>;
  remove(): Promise<void>;
}

export const tempWorkspace = async (linkTypes?: string): Promise<TempWorkspace> => {
  const dir = await mkdtemp(join(tmpdir(), "cairn-ws-"));
  await initWorkspace(dir);
  if (linkTypes !== undefined) await writeFile(join(dir, ".cairn", "config.yaml"), `cache:\n  type: ${linkTypes}\n`);
  const ws = await openWorkspace(dir);
  return {
    dir,
    ws,
    write: async (relPath, content) => {
      const path = join(dir, ...relPath.split("/"));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
      return path;
    },
    remove: async () => {
      ws.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
