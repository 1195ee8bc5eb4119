import { stringify } from "yaml";
import { parseLimitedYamlData } from "../../core/limited-yaml.js";
import { PipelineError } from "../errors.js";

/**
 * `.cairn/config.yaml`: how the cache links files into the workspace and where the remotes are.
 *
 *   cache:
 *     type: reflink,copy        # link types in preference order (DVC's default)
 *   remotes:
 *     backup: {url: /mnt/backup/cairn}
 *   default_remote: backup
 *
 * Parsed once at the edge (openWorkspace); a malformed value is a PipelineError naming the key and the file.
 */
export const LINK_TYPES = ["reflink", "hardlink", "symlink", "copy"] as const;
export type LinkType = (typeof LINK_TYPES)[number];

export interface RemoteConfig {
  url: string;
}

export interface WorkspaceConfig {
  cache: { type: LinkType[] };
  remotes: Record<string, RemoteConfig>;
  defaultRemote: string | undefined;
}

export const DEFAULT_LINK_TYPES: LinkType[] = ["reflink", "copy"];

export const defaultConfig = (): WorkspaceConfig => ({ cache: { type: [...DEFAULT_LINK_TYPES] }, remotes: {}, defaultRemote: undefined });

const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_REMOTES = 100;

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** "reflink,copy" or a YAML list: each a known link type, no repeats, at least one. */
export const parseLinkTypes = (value: unknown, key: string, file: string): LinkType[] => {
  const parts = typeof value === "string" ? value.split(",").map((part) => part.trim()) : Array.isArray(value) ? value : undefined;
  if (parts === undefined || parts.length === 0) throw new PipelineError(`${key}: expected link types such as "reflink,copy"`, { file });
  const types: LinkType[] = [];
  for (const part of parts) {
    if (typeof part !== "string" || !(LINK_TYPES as readonly string[]).includes(part)) {
      throw new PipelineError(`${key}: unknown link type ${JSON.stringify(part)} (expected ${LINK_TYPES.join(", ")})`, { file });
    }
    if (types.includes(part as LinkType)) throw new PipelineError(`${key}: link type '${part}' is listed twice`, { file });
    types.push(part as LinkType);
  }
  return types;
};

export const parseWorkspaceConfig = (text: string, file: string): WorkspaceConfig => {
  let data: unknown;
  try {
    data = parseLimitedYamlData(text, file, { maxBytes: 256 * 1024, maxDepth: 16, maxAliasCount: 0 });
  } catch (error) {
    throw new PipelineError(`malformed config: ${(error as Error).message}`, { file });
  }
  const config = defaultConfig();
  if (data === null || data === undefined) return config;
  if (!isMapping(data)) throw new PipelineError("malformed config: expected a mapping", { file });
  for (const key of Object.keys(data)) {
    if (!["cache", "remotes", "default_remote"].includes(key)) throw new PipelineError(`${key}: unknown key (expected cache, remotes, default_remote)`, { file });
  }
  if (data.cache !== undefined && data.cache !== null) {
    if (!isMapping(data.cache)) throw new PipelineError("cache: expected a mapping", { file });
    for (const key of Object.keys(data.cache)) {
      if (key !== "type") throw new PipelineError(`cache.${key}: unknown key (expected type)`, { file });
    }
    if (data.cache.type !== undefined) config.cache.type = parseLinkTypes(data.cache.type, "cache.type", file);
  }
  if (data.remotes !== undefined && data.remotes !== null) {
    if (!isMapping(data.remotes)) throw new PipelineError("remotes: expected a mapping of name to {url}", { file });
    const names = Object.keys(data.remotes);
    if (names.length > MAX_REMOTES) throw new PipelineError(`remotes: at most ${MAX_REMOTES} remotes`, { file });
    for (const name of names) {
      const key = `remotes.${name}`;
      if (!REMOTE_NAME.test(name)) throw new PipelineError(`${key}: a remote name is letters, digits, '_', '.', '-' (at most 64)`, { file });
      const remote = data.remotes[name];
      if (!isMapping(remote)) throw new PipelineError(`${key}: expected a mapping with url`, { file });
      for (const field of Object.keys(remote)) {
        if (field !== "url") throw new PipelineError(`${key}.${field}: unknown key (expected url)`, { file });
      }
      if (typeof remote.url !== "string" || remote.url.trim() === "" || remote.url.length > 4096) {
        throw new PipelineError(`${key}.url: expected a folder path, file:// URL, 'cairn' or an http(s) URL`, { file });
      }
      config.remotes[name] = { url: remote.url };
    }
  }
  if (data.default_remote !== undefined && data.default_remote !== null) {
    const name = data.default_remote;
    if (typeof name !== "string") throw new PipelineError("default_remote: expected a remote name", { file });
    if (config.remotes[name] === undefined) throw new PipelineError(`default_remote: no remote named '${name}' under remotes`, { file });
    config.defaultRemote = name;
  }
  return config;
};

export const serializeWorkspaceConfig = (config: WorkspaceConfig): string =>
  stringify({
    cache: { type: config.cache.type.join(",") },
    ...(Object.keys(config.remotes).length > 0 ? { remotes: config.remotes } : {}),
    ...(config.defaultRemote === undefined ? {} : { default_remote: config.defaultRemote }),
  });
