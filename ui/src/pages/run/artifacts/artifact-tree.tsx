import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, type ReactNode } from "react";
import { mlflowGet } from "../../../api/http";
import type { FileInfo } from "../../../api/entities";
import { ErrorBanner, Loading } from "../../../components/status";
import { formatBytes } from "../../../format";
import { useQueryList } from "../../../url-state";
import { baseName } from "./artifact-kind";
import { toggleOpenFolder, withFolderOfFileOpen } from "./open-folders";

interface Listing {
  root_uri?: string;
  files?: FileInfo[];
}

/**
 * Where a tree's files come from: a run's artifacts, or a logged model's. `key` names the owner in the query cache;
 * `list` answers one folder's entries (paths relative to the owner's artifact root).
 */
export interface ArtifactSource {
  key: readonly unknown[];
  list(path: string, signal: AbortSignal): Promise<FileInfo[]>;
  /** What an empty root says, e.g. "This run has no artifacts." */
  emptyText: string;
}

/** A run's artifacts, listed by artifacts/list. */
export const runArtifactSource = (runId: string): ArtifactSource => ({
  key: ["artifact-list", runId],
  list: async (path, signal) => (await mlflowGet<Listing>("artifacts/list", { run_id: runId, path: path || undefined }, signal)).files ?? [],
  emptyText: "This run has no artifacts.",
});

/** Folders first, then files, each by name. */
const byFolderThenName = (a: FileInfo, b: FileInfo): number => (a.is_dir !== b.is_dir ? (a.is_dir ? -1 : 1) : a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

const useListing = (source: ArtifactSource, path: string) =>
  useQuery({
    queryKey: [...source.key, path],
    queryFn: ({ signal }) => source.list(path, signal),
    select: (files) => [...files].sort(byFolderThenName),
  });

interface TreeState {
  source: ArtifactSource;
  selected: string;
  onSelect(path: string): void;
  open: ReadonlySet<string>;
  toggle(path: string): void;
}

/** One folder's entries, listed when the folder is first opened (artifacts/list per directory). */
const Folder = ({ path, state, label }: { path: string; state: TreeState; label: string }): ReactNode => {
  const { data, error, isPending } = useListing(state.source, path);
  if (error) return <ErrorBanner error={error} what={label} />;
  if (isPending) return <Loading what={label} />;
  if (data.length === 0) return <p className="muted artifact-empty">{path ? "Empty folder." : state.source.emptyText}</p>;
  return (
    <ul className="artifact-list">
      {data.map((entry) => (
        <li key={entry.path}>
          {entry.is_dir ? (
            <>
              <button type="button" className="artifact-entry folder" aria-expanded={state.open.has(entry.path)} onClick={() => state.toggle(entry.path)}>
                <span aria-hidden="true">{state.open.has(entry.path) ? "▾" : "▸"}</span> {baseName(entry.path)}/
              </button>
              {state.open.has(entry.path) ? <Folder path={entry.path} state={state} label={`folder ${entry.path}`} /> : null}
            </>
          ) : (
            <button
              type="button"
              className="artifact-entry file"
              aria-current={state.selected === entry.path ? "true" : undefined}
              onClick={() => state.onSelect(entry.path)}
            >
              <span>{baseName(entry.path)}</span>
              <span className="muted artifact-size">{formatBytes(entry.file_size)}</span>
            </button>
          )}
        </li>
      ))}
    </ul>
  );
};

/**
 * The open folders, kept in the URL (`open=dir&open=dir/sub`, written with replaceState: opening a folder is not a
 * step for the Back button), so that a link reproduces the tree as its sender saw it. A link that names a file but
 * not its folders (an older link, or one written by hand) opens them once when the tree first shows.
 */
const useOpenFolders = (selected: string): { open: ReadonlySet<string>; toggle(path: string): void } => {
  const [openList, setOpenList] = useQueryList("open");
  const restored = useRef(false);
  useEffect(() => {
    if (restored.current) return;
    restored.current = true;
    const completed = withFolderOfFileOpen(openList, selected);
    if (completed.length !== new Set(openList).size) setOpenList(completed);
  }, [openList, selected, setOpenList]);
  const open = useMemo(() => new Set(openList), [openList]);
  return { open, toggle: (path) => setOpenList(toggleOpenFolder(openList, path)) };
};

/** A run's (or a logged model's) artifacts as a folder tree; folders are listed lazily as they open. */
export const ArtifactTree = ({ source, selected, onSelect }: { source: ArtifactSource; selected: string; onSelect(path: string): void }): ReactNode => {
  const { open, toggle } = useOpenFolders(selected);
  return (
    <nav className="card artifact-tree" aria-label="Artifact files">
      <h2>Files</h2>
      <Folder path="" state={{ source, selected, onSelect, open, toggle }} label="the artifact list" />
    </nav>
  );
};
