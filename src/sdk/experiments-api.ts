import type { Experiment, ExperimentTag, ViewType } from "../protocol/mlflow/entities.js";
import { iteratePages, type Page } from "./paging.js";
import type { HttpTransport } from "./transport.js";

export interface CreateExperimentRequest {
  name: string;
  artifactLocation?: string;
  tags?: ExperimentTag[] | Record<string, string>;
}

export interface SearchExperimentsRequest {
  filter?: string;
  orderBy?: string[];
  /** Page size (MLflow's default is 1000). */
  maxResults?: number;
  viewType?: ViewType;
  pageToken?: string;
}

export const tagList = (tags: ExperimentTag[] | Record<string, string> | undefined): ExperimentTag[] | undefined => {
  if (tags === undefined) return undefined;
  return Array.isArray(tags) ? tags : Object.entries(tags).map(([key, value]) => ({ key, value }));
};

/** The experiments/* endpoints of MLflow's tracking API. */
export class ExperimentsApi {
  constructor(private readonly http: HttpTransport) {}

  /** Creates an experiment and returns its id. */
  async create(request: CreateExperimentRequest): Promise<string> {
    const response = await this.http.call<{ experiment_id: string }>("POST", "experiments/create", {
      name: request.name,
      artifact_location: request.artifactLocation,
      tags: tagList(request.tags),
    });
    return response.experiment_id;
  }

  async get(experimentId: string): Promise<Experiment> {
    const response = await this.http.call<{ experiment: Experiment }>("GET", "experiments/get", { experiment_id: experimentId });
    return withTags(response.experiment);
  }

  async getByName(name: string): Promise<Experiment> {
    const response = await this.http.call<{ experiment: Experiment }>("GET", "experiments/get-by-name", {
      experiment_name: name,
    });
    return withTags(response.experiment);
  }

  /** One page of experiments/search. */
  async search(request: SearchExperimentsRequest = {}): Promise<Page<Experiment>> {
    const response = await this.http.call<{ experiments?: Experiment[]; next_page_token?: string }>("POST", "experiments/search", {
      filter: request.filter,
      order_by: request.orderBy,
      max_results: request.maxResults,
      view_type: request.viewType,
      page_token: request.pageToken,
    });
    return { items: (response.experiments ?? []).map(withTags), nextPageToken: response.next_page_token || undefined };
  }

  /** Every experiment matching the request, across all pages. */
  searchAll(request: Omit<SearchExperimentsRequest, "pageToken"> = {}): AsyncGenerator<Experiment> {
    return iteratePages((pageToken) => this.search({ ...request, pageToken }));
  }

  async update(experimentId: string, newName: string): Promise<void> {
    await this.http.call("POST", "experiments/update", { experiment_id: experimentId, new_name: newName });
  }

  async delete(experimentId: string): Promise<void> {
    await this.http.call("POST", "experiments/delete", { experiment_id: experimentId });
  }

  async restore(experimentId: string): Promise<void> {
    await this.http.call("POST", "experiments/restore", { experiment_id: experimentId });
  }

  async setTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.http.call("POST", "experiments/set-experiment-tag", { experiment_id: experimentId, key, value });
  }

  async deleteTag(experimentId: string, key: string): Promise<void> {
    await this.http.call("POST", "experiments/delete-experiment-tag", { experiment_id: experimentId, key });
  }
}

/** Protobuf JSON omits empty repeated fields; callers get [] instead of undefined. */
const withTags = (experiment: Experiment): Experiment => ({ ...experiment, tags: experiment.tags ?? [] });
