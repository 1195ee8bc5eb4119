import type { CommandResult } from "../../cli/output.js";
import { PipelineError } from "../errors.js";
import { openWorkspace } from "../data/workspace.js";
import { locationOf, readRemotesConfig } from "../remote/remote-config.js";
import { ServerRemote } from "../remote/server-remote.js";
import { runGc, type GcReport } from "./gc.js";

export interface GcFlags {
  cwd: string;
  trackingUri: string;
  remote?: string;
  user?: string;
  dryRun: boolean;
  allBranches: boolean;
  allTags: boolean;
  /** false: `--no-server`, the server's references are not consulted. */
  server: boolean;
}

/** The server gc asks: -r NAME (must be a server), else the default remote when it is one, else the tracking server. */
const referenceServer = async (cairnDir: string, root: string, flags: GcFlags): Promise<ServerRemote> => {
  const config = await readRemotesConfig(cairnDir);
  const name = flags.remote ?? config.defaultRemote;
  const serverAt = (url: string, label: string): ServerRemote => new ServerRemote({ url, label, ...(flags.user !== undefined ? { user: flags.user } : {}) });
  if (name === undefined) return serverAt(flags.trackingUri, flags.trackingUri);
  const entry = config.remotes.find((remote) => remote.name === name);
  if (entry === undefined) throw new PipelineError(`no remote named '${name}' (see \`cairn remote list\`)`);
  const location = locationOf(entry.url, root);
  if (location.kind === "folder") {
    if (flags.remote !== undefined) throw new PipelineError(`gc asks a Cairn server which data runs and models use; remote '${name}' is a folder`);
    return serverAt(flags.trackingUri, flags.trackingUri);
  }
  return serverAt(location.kind === "server" ? location.url : flags.trackingUri, entry.name);
};

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

export const gcCommand = async (flags: GcFlags): Promise<CommandResult<GcReport>> => {
  const ws = await openWorkspace(flags.cwd);
  try {
    const server = flags.server ? await referenceServer(ws.cairnDir, ws.root, flags) : undefined;
    const report = await runGc(ws, {
      dryRun: flags.dryRun,
      git: { allBranches: flags.allBranches, allTags: flags.allTags },
      ...(server !== undefined ? { serverReferences: () => server.references() } : {}),
    });
    const verb = report.dryRun ? "would remove" : "removed";
    const lines = [
      `${verb} ${report.removed.objects} file object(s) and ${report.removed.manifests} directory manifest(s) (${mib(report.removed.bytes)}), ${report.removed.runCacheEntries} run-cache entr${report.removed.runCacheEntries === 1 ? "y" : "ies"}, ${report.removed.tempFiles} leftover temporary file(s); kept ${report.kept}`,
      `references: ${report.sources.workspaceFiles} in the workspace, ${report.sources.gitFiles} file(s) in ${report.sources.gitRefs} git ref(s), ${report.sources.serverReferences === null ? "server not asked (--no-server)" : `${report.sources.serverReferences} from the server`}`,
      ...(report.dryRun ? report.objects.slice(0, 50) : []),
    ];
    return { data: report, human: { kind: "message", text: lines.join("\n") } };
  } finally {
    ws.close();
  }
};
