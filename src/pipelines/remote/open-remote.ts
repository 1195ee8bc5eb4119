import { PipelineError } from "../errors.js";
import { FolderRemote } from "./folder-remote.js";
import type { Remote } from "./remote.js";
import { locationOf, readRemotesConfig } from "./remote-config.js";
import { ServerRemote } from "./server-remote.js";

export interface RemoteContext {
  root: string;
  cairnDir: string;
  /** The tracking server the CLI resolved (--tracking-uri, CAIRN_TRACKING_URI, MLFLOW_TRACKING_URI, default). */
  trackingUri: string;
  user?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The remote a command uses: `-r NAME`, else the config's default_remote, else the Cairn tracking server (so data
 * versions live beside the runs that used them with no setup).
 */
export const openRemote = async (context: RemoteContext, name: string | undefined): Promise<Remote> => {
  const config = await readRemotesConfig(context.cairnDir);
  const chosen = name ?? config.defaultRemote;
  const server = (url: string, label: string): Remote =>
    new ServerRemote({ url, label, ...(context.user !== undefined ? { user: context.user } : {}), ...(context.env !== undefined ? { env: context.env } : {}) });
  if (chosen === undefined) return server(context.trackingUri, context.trackingUri);
  const entry = config.remotes.find((remote) => remote.name === chosen);
  if (entry === undefined) {
    throw new PipelineError(name === undefined ? `default_remote '${chosen}' is not a configured remote` : `no remote named '${chosen}' (see \`cairn remote list\`)`);
  }
  const location = locationOf(entry.url, context.root);
  if (location.kind === "folder") return new FolderRemote(entry.name, location.path);
  return server(location.kind === "server" ? location.url : context.trackingUri, entry.name);
};
