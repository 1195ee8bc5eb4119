import { notFound } from "../../core/errors.js";
import type { Experiment, RunInfo } from "../../protocol/mlflow/entities.js";
import type { RegistryStore } from "../../registry/store.js";
import type { Page, PageRequest, TrackingStore } from "../../tracking/store.js";
import { decodeOffsetToken, pageOf } from "../../stores/sql/page-token.js";
import { isDirHash } from "../data/hash-info.js";
import type { DirEntry } from "../data/dir-manifest.js";
import type { DataObjectReader } from "./data-versions-manifest.js";
import { dataVersionOfInput, sizesOfProfile } from "./data-versions-ref.js";
import type { DataVersionRelation, DataVersionStore } from "./data-versions-store.js";

/**
 * What the server knows of one data version: its names, size and files (from the manifest it holds), the runs that
 * used or produced it, and the model versions whose lineage contains it. Every list is bounded: runs come a page at
 * a time (data/versions/runs pages further), files 1,000 at most per page, and the walk to model versions stops at
 * 10 levels and 500 runs (saying so).
 */
export const MAX_FILES_PER_PAGE = 1000;
export const MAX_RUNS_PER_PAGE = 1000;
export const RUNS_IN_GET = 100;
const MAX_NAMES = 100;
export const MODEL_WALK_DEPTH = 10;
export const MODEL_WALK_MAX_RUNS = 500;

export interface DataVersionRunView {
  run_id: string;
  run_name: string;
  experiment_id: string;
  experiment_name?: string;
  status: string;
  start_time: number;
  /** The path the run recorded the version under. */
  name: string;
  stage?: string;
}

export interface DataVersionView {
  hash: string;
  short_hash: string;
  is_dir: boolean;
  size?: number;
  nfiles?: number;
  names: string[];
  /** "ok" when the server holds the manifest (or the file); else why files cannot be listed. */
  files_state: "ok" | "absent" | "too-large" | "invalid" | "not-a-directory";
  files: DirEntry[];
  next_page_token?: string;
  produced_by: DataVersionRunView[];
  produced_by_next_page_token?: string;
  used_by: DataVersionRunView[];
  used_by_next_page_token?: string;
  model_versions: Array<{ name: string; version: string; run_id: string }>;
  model_versions_truncated?: boolean;
}

export interface DataVersionServiceDeps {
  store?: DataVersionStore;
  tracking: Pick<TrackingStore, "getRun" | "getExperiment">;
  registry: Pick<RegistryStore, "findModelVersionsByRunIds">;
  objects: DataObjectReader;
}

export class DataVersionService {
  constructor(private readonly deps: DataVersionServiceDeps) {}

  async get(hash: string, files: PageRequest): Promise<DataVersionView> {
    const { store, objects } = this.deps;
    const datasets = store === undefined ? [] : await store.findDataVersionDatasets(hash, MAX_NAMES);
    const objectSize = await objects.objectSize(hash);
    if (datasets.length === 0 && objectSize === undefined) throw notFound(`Data version '${hash}' not found`);
    const names = [...new Set(datasets.map(({ name }) => name))];
    const recorded = datasets.map(({ profile }) => sizesOfProfile(profile)).find(({ size }) => size !== undefined) ?? {};
    const isDir = isDirHash(hash);
    const view: DataVersionView = {
      hash,
      short_hash: hash.slice(0, 12),
      is_dir: isDir,
      ...recorded,
      names,
      files_state: isDir ? "absent" : "not-a-directory",
      files: [],
      produced_by: [],
      used_by: [],
      model_versions: [],
    };
    if (isDir) {
      const manifest = await objects.manifest(hash);
      view.files_state = manifest.state;
      if (manifest.state === "ok") {
        // The manifest is the truth: it overrides sizes recorded by a client.
        view.size = manifest.entries.reduce((sum, entry) => sum + entry.size, 0);
        view.nfiles = manifest.entries.length;
        const offset = decodeOffsetToken(files.pageToken);
        const page = pageOf(manifest.entries.slice(offset, offset + files.maxResults + 1), offset, files.maxResults);
        view.files = page.items;
        if (page.nextPageToken !== undefined) view.next_page_token = page.nextPageToken;
      }
    } else if (objectSize !== undefined) {
      view.size = objectSize;
    }
    const experiments = new Map<string, Promise<Experiment | undefined>>();
    const produced = await this.runs(hash, "produced", { maxResults: RUNS_IN_GET }, experiments);
    const used = await this.runs(hash, "used", { maxResults: RUNS_IN_GET }, experiments);
    view.produced_by = produced.items;
    if (produced.nextPageToken !== undefined) view.produced_by_next_page_token = produced.nextPageToken;
    view.used_by = used.items;
    if (used.nextPageToken !== undefined) view.used_by_next_page_token = used.nextPageToken;
    const models = await this.modelVersions(hash);
    view.model_versions = models.versions;
    if (models.truncated) view.model_versions_truncated = true;
    return view;
  }

  /** One page of the runs that used or produced the version, newest first. */
  async runs(
    hash: string,
    relation: DataVersionRelation,
    page: PageRequest,
    experiments = new Map<string, Promise<Experiment | undefined>>(),
  ): Promise<Page<DataVersionRunView>> {
    const { store, tracking } = this.deps;
    if (store === undefined) return { items: [] };
    const found = await store.findDataVersionRuns(hash, relation, page);
    const experimentName = async (id: string): Promise<string | undefined> => {
      let pending = experiments.get(id);
      if (pending === undefined) {
        pending = tracking.getExperiment(id);
        experiments.set(id, pending);
      }
      return (await pending)?.name;
    };
    const items = await Promise.all(
      found.items.map(async ({ run, name, stage }) => runView(run, name, stage, await experimentName(run.experiment_id))),
    );
    return found.nextPageToken === undefined ? { items } : { items, nextPageToken: found.nextPageToken };
  }

  /**
   * Versions whose lineage (LineageService.versionLineage) contains the data version: versions of the runs that
   * produced or used it, and, forward through the data versions those users produced, of the runs downstream.
   */
  private async modelVersions(hash: string): Promise<{ versions: DataVersionView["model_versions"]; truncated: boolean }> {
    const { store, tracking, registry } = this.deps;
    if (store === undefined) return { versions: [], truncated: false };
    const runIds = new Set<string>();
    let truncated = false;
    const take = async (version: string, relation: DataVersionRelation): Promise<string[]> => {
      const room = MODEL_WALK_MAX_RUNS - runIds.size;
      if (room <= 0) {
        truncated = true;
        return [];
      }
      const page = await store.findDataVersionRuns(version, relation, { maxResults: room });
      if (page.nextPageToken !== undefined) truncated = true;
      const added = page.items.map(({ run }) => run.run_id).filter((id) => !runIds.has(id));
      for (const id of added) runIds.add(id);
      return relation === "used" ? added : [];
    };
    await take(hash, "produced");
    const seen = new Set([hash]);
    let frontier = [hash];
    for (let depth = 0; frontier.length > 0; depth += 1) {
      if (depth >= MODEL_WALK_DEPTH) {
        truncated = true;
        break;
      }
      const next: string[] = [];
      for (const version of frontier) {
        for (const runId of await take(version, "used")) {
          const run = await tracking.getRun(runId);
          for (const input of run?.inputs.dataset_inputs ?? []) {
            const output = dataVersionOfInput(input);
            if (output === undefined || output.relation !== "produced" || seen.has(output.hash)) continue;
            seen.add(output.hash);
            next.push(output.hash);
          }
        }
      }
      frontier = next;
    }
    const versions = runIds.size === 0 ? [] : await registry.findModelVersionsByRunIds([...runIds]);
    return {
      versions: [...versions]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : Number(a.version) - Number(b.version)))
        .map(({ name, version, run_id }) => ({ name, version, run_id: run_id ?? "" })),
      truncated,
    };
  }
}

const runView = (run: RunInfo, name: string, stage: string | undefined, experimentName: string | undefined): DataVersionRunView => ({
  run_id: run.run_id,
  run_name: run.run_name,
  experiment_id: run.experiment_id,
  ...(experimentName === undefined ? {} : { experiment_name: experimentName }),
  status: run.status,
  start_time: run.start_time,
  name,
  ...(stage === undefined ? {} : { stage }),
});
