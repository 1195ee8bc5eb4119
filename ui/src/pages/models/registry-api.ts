import { cairnGet, cairnPost, mlflowGet, request, MLFLOW_API } from "../../api/http";
import type { ModelVersion, RegisteredModel, Run } from "../../api/entities";
import type {
  AliasChange,
  ApprovalWire,
  AuditEventMessage,
  LineageGraph,
  ModelCard,
  PromotionRuleWire,
  PromotionVerdict,
} from "./registry-wire";

/**
 * The registry calls of the model pages, one function per endpoint, and the query keys they are cached under (the
 * alias editor invalidates by these prefixes after a write).
 */

export const MODELS_PAGE_SIZE = 100;
export const VERSIONS_PAGE_SIZE = 100;
export const AUDIT_PAGE_SIZE = 100;

/** A string literal of MLflow's filter grammar: single quotes, a quote inside doubled. */
export const quoteFilterValue = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** The models list's filter for a search box text: a case-insensitive substring of the name. */
export const modelNameFilter = (text: string): string | undefined =>
  text.trim() === "" ? undefined : `name ILIKE ${quoteFilterValue(`%${text.trim()}%`)}`;

export const registryKeys = {
  models: (search: string) => ["registry", "models", search] as const,
  model: (name: string) => ["registry", "model", name] as const,
  versions: (name: string) => ["registry", "versions", name] as const,
  version: (name: string, version: string) => ["registry", "version", name, version] as const,
  aliasHistory: (name: string) => ["registry", "alias-history", name] as const,
  rules: (name: string) => ["registry", "rules", name] as const,
  audit: (entity: AuditEntity) => ["registry", "audit", entity.type, entity.id] as const,
  lineage: (name: string, version: string) => ["registry", "lineage", name, version] as const,
  card: (name: string, version: string) => ["registry", "card", name, version] as const,
  approvals: (name: string, version: string) => ["registry", "approvals", name, version] as const,
  check: (name: string, version: string, target: string) => ["registry", "check", name, version, target] as const,
  run: (runId: string) => ["runs", "get", runId] as const,
};

/** Whose audit trail: the audit API keys events by entity type and id, as the registry records them. */
export interface AuditEntity {
  type: "registered_model" | "model_version";
  id: string;
}

/** A model's own events: creation, tags, aliases, rules. */
export const modelEntity = (name: string): AuditEntity => ({ type: "registered_model", id: name });
/** A version's own events: creation, tags, stage, card, approvals, refused promotions (src/registry/service.ts). */
export const versionEntity = (name: string, version: string): AuditEntity => ({ type: "model_version", id: `${name}/${version}` });

export interface Paged<T> {
  items: T[];
  nextPageToken: string | undefined;
}

/** MLflow omits empty repeated fields in some clients' eyes; the pages always get arrays. */
const withArrays = (version: ModelVersion): ModelVersion => ({ ...version, tags: version.tags ?? [], aliases: version.aliases ?? [] });
const modelWithArrays = (model: RegisteredModel): RegisteredModel => ({
  ...model,
  tags: model.tags ?? [],
  aliases: model.aliases ?? [],
  latest_versions: (model.latest_versions ?? []).map(withArrays),
});

export const searchModels = async (search: string, pageToken: string | undefined, signal?: AbortSignal): Promise<Paged<RegisteredModel>> => {
  const answer = await mlflowGet<{ registered_models?: RegisteredModel[]; next_page_token?: string }>(
    "registered-models/search",
    { filter: modelNameFilter(search), max_results: MODELS_PAGE_SIZE, order_by: ["name ASC"], page_token: pageToken },
    signal,
  );
  return { items: (answer.registered_models ?? []).map(modelWithArrays), nextPageToken: answer.next_page_token };
};

export const getModel = async (name: string, signal?: AbortSignal): Promise<RegisteredModel> =>
  modelWithArrays((await mlflowGet<{ registered_model: RegisteredModel }>("registered-models/get", { name }, signal)).registered_model);

export const searchVersions = async (name: string, pageToken: string | undefined, signal?: AbortSignal): Promise<Paged<ModelVersion>> => {
  const answer = await mlflowGet<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
    "model-versions/search",
    { filter: `name = ${quoteFilterValue(name)}`, max_results: VERSIONS_PAGE_SIZE, order_by: ["version_number DESC"], page_token: pageToken },
    signal,
  );
  return { items: (answer.model_versions ?? []).map(withArrays), nextPageToken: answer.next_page_token };
};

export const getVersion = async (name: string, version: string, signal?: AbortSignal): Promise<ModelVersion> =>
  withArrays((await mlflowGet<{ model_version: ModelVersion }>("model-versions/get", { name, version }, signal)).model_version);

export const getRun = async (runId: string, signal?: AbortSignal): Promise<Run> =>
  (await mlflowGet<{ run: Run }>("runs/get", { run_id: runId }, signal)).run;

export const getAliasHistory = async (name: string, signal?: AbortSignal): Promise<AliasChange[]> =>
  (await cairnGet<{ changes?: AliasChange[] }>("registered-models/alias-history", { name }, signal)).changes ?? [];

export const listRules = async (name: string, signal?: AbortSignal): Promise<PromotionRuleWire[]> =>
  (await cairnGet<{ rules?: PromotionRuleWire[] }>("registered-models/promotion-rules/list", { name }, signal)).rules ?? [];

/** One page of an entity's audit events, oldest first as the trail keeps them. */
export const listAuditEvents = async (entity: AuditEntity, pageToken: string | undefined, signal?: AbortSignal): Promise<Paged<AuditEventMessage>> => {
  const answer = await cairnGet<{ events?: AuditEventMessage[]; next_page_token?: string }>(
    "audit/events",
    { entity_type: entity.type, entity_id: entity.id, max_results: AUDIT_PAGE_SIZE, page_token: pageToken },
    signal,
  );
  return { items: answer.events ?? [], nextPageToken: answer.next_page_token };
};

export const getLineage = (name: string, version: string, signal?: AbortSignal): Promise<LineageGraph> =>
  cairnGet<LineageGraph>("model-versions/lineage", { name, version }, signal);

export const getCard = async (name: string, version: string, signal?: AbortSignal): Promise<ModelCard> =>
  (await cairnGet<{ card: ModelCard }>("model-versions/card", { name, version }, signal)).card;

export const checkPromotion = async (name: string, version: string, target: string, signal?: AbortSignal): Promise<PromotionVerdict> => {
  const answer = await cairnGet<Partial<PromotionVerdict>>("model-versions/promotion-check", { name, version, target }, signal);
  return { allowed: answer.allowed ?? false, unmet: answer.unmet ?? [] };
};

export const setAlias = (name: string, alias: string, version: string): Promise<unknown> =>
  request("POST", `${MLFLOW_API}/registered-models/alias`, { name, alias, version });

export const deleteAlias = (name: string, alias: string): Promise<unknown> =>
  request("DELETE", `${MLFLOW_API}/registered-models/alias`, { name, alias });

/**
 * Records the approval of the request's declared user (the server refuses anonymous requests). Approving twice
 * changes nothing: the server answers the approval that already stands.
 */
export const approveVersion = async (name: string, version: string, target: string, comment: string): Promise<ApprovalWire> =>
  (await cairnPost<{ approval: ApprovalWire }>("model-versions/approve", { name, version, target, ...(comment === "" ? {} : { comment }) })).approval;
