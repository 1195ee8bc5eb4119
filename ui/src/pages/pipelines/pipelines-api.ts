import { artifactDownloadUrl, mlflowPost, request } from "../../api/http";
import type { Experiment, Run } from "../../api/entities";
import { parsePipelineSummary, type PipelineSummary } from "./pipeline-summary";

/** The tags and artifact the tracker writes (src/pipelines/tracking/repro-tracker.ts; values, so copied here). */
export const PIPELINE_TAG = "cairn.pipeline";
export const PIPELINE_FILE_TAG = "cairn.pipeline.file";
export const PIPELINE_SUMMARY_ARTIFACT = "cairn-pipeline.json";
export const PIPELINE_FILTER = `tags.\`${PIPELINE_TAG}\` = 'true'`;
/** runs/search takes at most 1,000 experiment ids; pipelines of experiments beyond them are not listed (said so). */
export const MAX_EXPERIMENTS = 1000;

export const pipelineKeys = {
  list: (pageSize: number, pageToken: string | undefined) => ["pipelines", "list", pageSize, pageToken ?? ""] as const,
  summary: (runId: string) => ["pipelines", "summary", runId] as const,
};

export interface PipelineRunsPage {
  runs: Run[];
  experimentNames: ReadonlyMap<string, string>;
  nextPageToken: string | undefined;
  /** More active experiments exist than one search can name. */
  experimentsCut: boolean;
}

/** Pipeline parent runs of every active experiment, newest first, a page at a time. */
export const searchPipelineRuns = async (pageSize: number, pageToken: string | undefined, signal?: AbortSignal): Promise<PipelineRunsPage> => {
  const found = await mlflowPost<{ experiments?: Experiment[]; next_page_token?: string }>(
    "experiments/search",
    { view_type: "ACTIVE_ONLY", max_results: MAX_EXPERIMENTS },
    signal,
  );
  const experiments = found.experiments ?? [];
  const experimentNames = new Map(experiments.map((experiment) => [experiment.experiment_id, experiment.name]));
  const experimentsCut = Boolean(found.next_page_token);
  if (experiments.length === 0) return { runs: [], experimentNames, nextPageToken: undefined, experimentsCut };
  const page = await mlflowPost<{ runs?: Run[]; next_page_token?: string }>(
    "runs/search",
    {
      experiment_ids: experiments.map((experiment) => experiment.experiment_id),
      filter: PIPELINE_FILTER,
      order_by: ["attributes.start_time DESC"],
      run_view_type: "ACTIVE_ONLY",
      max_results: pageSize,
      ...(pageToken ? { page_token: pageToken } : {}),
    },
    signal,
  );
  return { runs: page.runs ?? [], experimentNames, nextPageToken: page.next_page_token || undefined, experimentsCut };
};

/** The parent run's cairn-pipeline.json, parsed (a SummaryError says what is wrong with it). */
export const fetchPipelineSummary = async (run: Run, signal?: AbortSignal): Promise<PipelineSummary> => {
  const url = artifactDownloadUrl(run.info.artifact_uri, PIPELINE_SUMMARY_ARTIFACT);
  if (url === undefined) throw new Error(`The run's artifacts (${run.info.artifact_uri}) are not served by this server.`);
  return parsePipelineSummary(await request<unknown>("GET", url, undefined, signal));
};

export const tagOf = (run: Run, key: string): string | undefined => run.data.tags?.find((tag) => tag.key === key)?.value;
