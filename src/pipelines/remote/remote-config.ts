import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isMap, parseDocument, type Document } from "yaml";
import { checkYamlText } from "../../core/limited-yaml.js";
import { PipelineError } from "../errors.js";
import { CONFIG_FILE } from "../data/cache-layout.js";
import { parseWorkspaceConfig } from "../data/workspace-config.js";
import { readWorkspaceConfig } from "../data/workspace.js";

/**
 * The remotes part of `.cairn/config.yaml`: `remotes: {NAME: {url: URL}}` and `default_remote: NAME`. Edited as a
 * YAML document so that the other keys (cache settings) and the user's comments survive `cairn remote add`.
 */
export interface RemoteEntry {
  name: string;
  url: string;
}

export interface RemotesConfig {
  remotes: RemoteEntry[];
  defaultRemote?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const checkRemoteName = (name: string): string => {
  if (!NAME.test(name)) throw new PipelineError(`remote name '${name.slice(0, 80)}' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  return name;
};

export type RemoteLocation = { kind: "server"; url: string } | { kind: "tracking-server" } | { kind: "folder"; path: string };

/** What a remote URL means: `cairn` (the tracking server), an http(s) URL (a Cairn server), else a folder. */
export const locationOf = (url: string, root: string): RemoteLocation => {
  if (url === "cairn") return { kind: "tracking-server" };
  if (/^https?:\/\//i.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new PipelineError(`remote URL '${url}' is not a valid URL`);
    }
    return { kind: "server", url };
  }
  if (url.startsWith("file://")) return { kind: "folder", path: fileURLToPath(url) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new PipelineError(`remote URL '${url}': only folders, file://, http(s):// and 'cairn' are supported`);
  // A relative folder is relative to the workspace root (where the config's users run commands from).
  return { kind: "folder", path: path.resolve(root, url) };
};

const configFile = (cairnDir: string): string => path.join(cairnDir, CONFIG_FILE);

const loadDocument = async (cairnDir: string): Promise<Document> => {
  const file = configFile(cairnDir);
  let text = "";
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  try {
    checkYamlText(text, file);
  } catch (error) {
    throw new PipelineError(`malformed config: ${(error as Error).message}`, { file });
  }
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) throw new PipelineError(`malformed config: ${document.errors[0]?.message ?? "invalid YAML"}`, { file });
  if (document.contents !== null && !isMap(document.contents)) throw new PipelineError("malformed config: expected a mapping", { file });
  return document;
};

/** The remotes as the workspace's config parser reads them (one parser, one set of messages naming the key). */
export const readRemotesConfig = async (cairnDir: string): Promise<RemotesConfig> => {
  const config = readWorkspaceConfig(cairnDir);
  return {
    remotes: Object.entries(config.remotes).map(([name, remote]) => ({ name, url: remote.url })),
    ...(config.defaultRemote === undefined ? {} : { defaultRemote: config.defaultRemote }),
  };
};

/** Applies an edit to the config document and writes it atomically (temporary file, then rename). */
const editConfig = async (cairnDir: string, edit: (document: Document) => void): Promise<void> => {
  const document = await loadDocument(cairnDir);
  if (document.contents === null) document.contents = document.createNode({}) as never;
  edit(document);
  const file = configFile(cairnDir);
  await mkdir(cairnDir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const text = document.toString();
  // The edited file must still be a valid config (the workspace parser's rules) before it replaces the old one.
  parseWorkspaceConfig(text, file);
  await writeFile(temp, text);
  await rename(temp, file);
};

export const addRemote = async (cairnDir: string, name: string, url: string, options: { force?: boolean; makeDefault?: boolean } = {}): Promise<void> => {
  checkRemoteName(name);
  if (url.trim() === "") throw new PipelineError("remote URL must not be empty");
  const current = await readRemotesConfig(cairnDir);
  if (!options.force && current.remotes.some((remote) => remote.name === name)) throw new PipelineError(`remote '${name}' already exists (use --force to replace it)`);
  await editConfig(cairnDir, (document) => {
    document.setIn(["remotes", name], document.createNode({ url }));
    if (options.makeDefault) document.set("default_remote", name);
  });
};

export const removeRemote = async (cairnDir: string, name: string): Promise<void> => {
  const current = await readRemotesConfig(cairnDir);
  if (!current.remotes.some((remote) => remote.name === name)) throw new PipelineError(`no remote named '${name}'`);
  await editConfig(cairnDir, (document) => {
    document.deleteIn(["remotes", name]);
    if (current.defaultRemote === name) document.delete("default_remote");
  });
};

export const setDefaultRemote = async (cairnDir: string, name: string | undefined): Promise<void> => {
  if (name !== undefined) {
    const current = await readRemotesConfig(cairnDir);
    if (!current.remotes.some((remote) => remote.name === name)) throw new PipelineError(`no remote named '${name}'`);
  }
  await editConfig(cairnDir, (document) => {
    if (name === undefined) document.delete("default_remote");
    else document.set("default_remote", name);
  });
};
