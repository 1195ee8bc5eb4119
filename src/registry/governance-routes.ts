import type { Fields } from "../protocol/mlflow/fields.js";
import { type MlflowEndpoint, TextResponse } from "../server/mlflow-endpoint.js";
import { METRIC_COMPARATORS, type MetricComparator, type PromotionRule, type StoredApproval } from "./governance-store.js";
import type { LineageService } from "./lineage/lineage-service.js";
import type { CardUpdate, ModelCardService } from "./model-cards/model-card-service.js";
import { renderCardHtml } from "./model-cards/render-html.js";
import { renderCardMarkdown } from "./model-cards/render-markdown.js";
import type { PromotionService } from "./promotion/promotion-service.js";

/**
 * Cairn's governance API (promotion rules and approvals, lineage, model cards) under /api/2.0/cairn/: thin
 * translations between snake_case JSON and the services.
 */

const EMPTY = Object.freeze({});


/** Versions are strings on MLflow's wire; a JSON number is accepted too, as MLflow's clients sometimes send one. */
const readVersion = (fields: Fields): string => {
  const raw = fields.rawValue("version");
  if (typeof raw === "number" && Number.isSafeInteger(raw)) return String(raw);
  return fields.requiredString("version");
};

/** readVersion for a filter: absent (or "") means every version. */
const optionalVersion = (fields: Fields): string | undefined => {
  const raw = fields.rawValue("version");
  if (typeof raw === "number" && Number.isSafeInteger(raw)) return String(raw);
  return fields.optionalText("version");
};

/** An optional text field where "absent" (keep) and "" (clear) differ. */
const optionalText = (fields: Fields, field: string): string | undefined => fields.optionalString(field);

const ruleJson = (rule: PromotionRule) => ({
  name: rule.name,
  target: rule.target,
  required_tags: rule.requiredTags,
  metric_thresholds: rule.metricThresholds,
  required_approvals: rule.requiredApprovals,
  forbid_self_approval: rule.forbidSelfApproval,
  updated_by: rule.updatedBy,
  updated_time: rule.updatedTime,
});

const approvalJson = (approval: StoredApproval) => ({
  name: approval.name,
  version: approval.version,
  target: approval.target,
  actor: approval.actor,
  time: approval.time,
  ...(approval.comment === undefined ? {} : { comment: approval.comment }),
  ...(approval.revokedBy === undefined ? {} : { revoked_by: approval.revokedBy }),
  ...(approval.revokedTime === undefined ? {} : { revoked_time: approval.revokedTime }),
});

const readComparator = (item: Fields): MetricComparator => {
  item.requiredString("comparator"); // a missing comparator is named with its path, e.g. metric_thresholds[0].comparator
  return item.optionalEnum("comparator", METRIC_COMPARATORS) as MetricComparator;
};

const CARD_FORMATS = ["json", "markdown", "html"] as const;

export const governanceRoutes = (
  promotion: PromotionService,
  lineage: LineageService,
  cards: ModelCardService,
): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "registered-models/promotion-rules/set",
    handle: async (fields, context) => {
      const rule = await promotion.setRules(
        {
          name: fields.requiredString("name"),
          target: fields.requiredString("target"),
          requiredTags: fields.list("required_tags", (item) => ({
            key: item.requiredString("key"),
            value: item.optionalString("value") ?? "",
          })),
          metricThresholds: fields.list("metric_thresholds", (item) => ({
            metric: item.requiredString("metric"),
            comparator: readComparator(item),
            value: item.requiredDouble("value"),
          })),
          requiredApprovals: fields.optionalInt64("required_approvals") ?? 0,
          forbidSelfApproval: fields.optionalBoolean("forbid_self_approval") ?? false,
        },
        context,
      );
      return { rule: ruleJson(rule) };
    },
  },
  {
    methods: ["GET"],
    path: "registered-models/promotion-rules/list",
    handle: async (fields) => ({ rules: (await promotion.listRules(fields.requiredString("name"))).map(ruleJson) }),
  },
  {
    methods: ["DELETE"],
    path: "registered-models/promotion-rules/delete",
    handle: async (fields, context) => {
      await promotion.deleteRules(fields.requiredString("name"), fields.requiredString("target"), context);
      return EMPTY;
    },
  },
  {
    methods: ["POST"],
    path: "model-versions/approve",
    handle: async (fields, context) => {
      const comment = fields.optionalString("comment");
      const approval = await promotion.approve(
        {
          name: fields.requiredString("name"),
          version: readVersion(fields),
          target: fields.requiredString("target"),
          ...(comment === undefined ? {} : { comment }),
        },
        context,
      );
      return { approval: approvalJson(approval) };
    },
  },
  {
    methods: ["GET"],
    path: "model-versions/approvals",
    handle: async (fields) => ({
      approvals: (await promotion.listApprovals(fields.requiredString("name"), readVersion(fields))).map(approvalJson),
    }),
  },
  {
    // A model's approvals, newest first: who approved which version for what, when, and who revoked it.
    methods: ["GET"],
    path: "governance/approvals",
    handle: async (fields) => {
      const version = optionalVersion(fields);
      const target = fields.optionalText("target");
      const maxResults = fields.optionalInt64("max_results");
      const pageToken = fields.optionalText("page_token");
      const page = await promotion.searchApprovals({
        name: fields.requiredString("name"),
        ...(version === undefined ? {} : { version }),
        ...(target === undefined ? {} : { target }),
        includeRevoked: fields.optionalBoolean("include_revoked") ?? false,
        ...(maxResults === undefined ? {} : { maxResults }),
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      return { approvals: page.items.map(approvalJson), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
    },
  },
  {
    // Revokes the caller's own standing approval of (version, target).
    methods: ["DELETE"],
    path: "governance/approvals",
    handle: async (fields, context) => {
      const approval = await promotion.revoke(
        { name: fields.requiredString("name"), version: readVersion(fields), target: fields.requiredString("target") },
        context,
      );
      return { approval: approvalJson(approval) };
    },
  },
  {
    methods: ["GET"],
    path: "model-versions/promotion-check",
    handle: async (fields) =>
      promotion.checkTarget(fields.requiredString("name"), readVersion(fields), fields.requiredString("target")),
  },
  {
    methods: ["GET"],
    path: "model-versions/lineage",
    handle: async (fields) => lineage.versionLineage(fields.requiredString("name"), readVersion(fields)),
  },
  {
    methods: ["GET"],
    path: "datasets/usage",
    handle: async (fields) => {
      const digest = fields.optionalString("digest");
      return lineage.datasetUsage(fields.requiredString("name"), digest === "" ? undefined : digest);
    },
  },
  {
    methods: ["POST"],
    path: "model-versions/card/set",
    handle: async (fields, context) => {
      const update: CardUpdate = {};
      const description = optionalText(fields, "description");
      const intendedUse = optionalText(fields, "intended_use");
      const trainingData = optionalText(fields, "training_data");
      const limitations = optionalText(fields, "limitations");
      const ethicalConsiderations = optionalText(fields, "ethical_considerations");
      if (description !== undefined) update.description = description;
      if (intendedUse !== undefined) update.intendedUse = intendedUse;
      if (trainingData !== undefined) update.trainingData = trainingData;
      if (limitations !== undefined) update.limitations = limitations;
      if (ethicalConsiderations !== undefined) update.ethicalConsiderations = ethicalConsiderations;
      if (fields.has("owners")) update.owners = fields.stringList("owners");
      const card = await cards.setCard(fields.requiredString("name"), readVersion(fields), update, context);
      return { card };
    },
  },
  {
    methods: ["GET"],
    path: "model-versions/card",
    handle: async (fields) => {
      const format = fields.optionalEnum("format", CARD_FORMATS) ?? "json";
      const card = await cards.getCard(fields.requiredString("name"), readVersion(fields));
      if (format === "markdown") return new TextResponse("text/markdown; charset=utf-8", renderCardMarkdown(card));
      if (format === "html") return new TextResponse("text/html; charset=utf-8", renderCardHtml(card));
      return { card };
    },
  },
];
