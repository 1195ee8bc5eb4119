import type { Fields } from "../../protocol/mlflow/fields.js";
import type { Principal } from "../principal.js";
import type { Capability } from "./permission.js";
import type { ResourceLookup } from "./resources.js";

/** One thing a request needs; a rule returns all of them and every one must hold. */
export type Requirement =
  | { on: "experiment"; id: string; capability: Capability }
  | { on: "registered_model"; name: string; capability: Capability }
  /** The named approver permission of a registered model (Cairn's approvals). */
  | { on: "approver"; name: string }
  /** Only an administrator. */
  | { on: "admin"; what: string }
  /** The signed-in user must be `username` (MLflow's own-account routes), or an administrator. */
  | { on: "self"; username: string; what: string };

/** What a rule reads: the request's fields (as the route reads them), its raw path parameters and query. */
export interface RuleInput {
  fields(): Fields;
  params: Record<string, string | undefined>;
  query: Record<string, unknown>;
  principal: Principal;
  lookup: ResourceLookup;
}

/** Whether one resource is readable by the signed-in user (for filtering list responses). */
export interface Visibility {
  canReadExperiment(id: string): Promise<boolean>;
  canReadModel(name: string): Promise<boolean>;
  modelOfDeployment(name: string): Promise<string | undefined>;
  deploymentOfMonitor(name: string): Promise<string | undefined>;
}

/** After a successful response: grants that follow a write (creators get MANAGE) or cleanup (a deleted user). */
export interface AfterSuccess {
  grantExperimentManage(experimentId: string): Promise<void>;
  grantModelManage(name: string): Promise<void>;
  forgetUser(username: string): Promise<void>;
}

/**
 * A route's permission rule. `require` says what the request needs (nothing: any signed-in user); `filter` cuts a
 * successful list response down to what the user may read (MLflow's after-request filters of search results);
 * `after` runs once the route succeeded.
 */
export interface Rule {
  require(input: RuleInput): Promise<Requirement[]> | Requirement[];
  filter?(body: Record<string, unknown>, visibility: Visibility): Promise<Record<string, unknown>>;
  after?(body: Record<string, unknown>, input: RuleInput, effects: AfterSuccess): Promise<void>;
}

export const ANY_SIGNED_IN: Rule = { require: () => [] };

export const adminOnly = (what: string): Rule => ({ require: () => [{ on: "admin", what }] });

/** A rule whose requirements come from the request's fields. */
export const fromFields = (read: (fields: Fields, input: RuleInput) => Promise<Requirement[]> | Requirement[]): Rule => ({
  require: (input) => read(input.fields(), input),
});
