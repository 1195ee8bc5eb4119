import { invalidParameter } from "../../core/errors.js";
import type { Fields } from "../../protocol/mlflow/fields.js";
import { readRunId } from "../../tracking/wire-readers.js";
import type { Capability } from "./permission.js";
import type { Requirement, RuleInput } from "./rule.js";

/**
 * The building blocks of the policy table: each reads the resource id a route reads (same field, same parser, so a
 * malformed id is the route's own 400) and resolves it to the experiment or registered model that owns it.
 */

/** A request naming more resources than this is refused before any lookup (each would cost one). */
export const MAX_RESOURCES_PER_REQUEST = 1000;

const bounded = (ids: readonly string[], field: string): readonly string[] => {
  if (ids.length > MAX_RESOURCES_PER_REQUEST) {
    throw invalidParameter(`Invalid ${field}: ${ids.length} entries, at most ${MAX_RESOURCES_PER_REQUEST} are allowed.`);
  }
  return [...new Set(ids)];
};

export const experiment = (id: string, capability: Capability): Requirement => ({ on: "experiment", id, capability });
export const model = (name: string, capability: Capability): Requirement => ({ on: "registered_model", name, capability });

export const experimentIn = (field: string, capability: Capability) => (fields: Fields): Requirement[] => [
  experiment(fields.requiredString(field), capability),
];

/** Every experiment of a list field (searches): each must allow `capability`. */
export const experimentsIn = (field: string, capability: Capability) => (fields: Fields): Requirement[] =>
  bounded(fields.stringList(field), field).map((id) => experiment(id, capability));

/** The run of `run_id` (or its old alias run_uuid), through its experiment. */
export const runOf = (capability: Capability) => async (fields: Fields, input: RuleInput): Promise<Requirement[]> => [
  experiment(await input.lookup.experimentOfRun(readRunId(fields)), capability),
];

export const runsIn = (field: string, capability: Capability) => async (fields: Fields, input: RuleInput): Promise<Requirement[]> => {
  const ids = bounded(fields.stringList(field), field);
  return Promise.all(ids.map(async (id) => experiment(await input.lookup.experimentOfRun(id), capability)));
};

export const loggedModelOf = (capability: Capability) => async (fields: Fields, input: RuleInput): Promise<Requirement[]> => [
  experiment(await input.lookup.experimentOfLoggedModel(fields.requiredString("model_id")), capability),
];

export const traceOf = (field: "trace_id" | "request_id", capability: Capability) => async (fields: Fields, input: RuleInput): Promise<Requirement[]> => [
  experiment(await input.lookup.experimentOfTrace(fields.requiredString(field), field), capability),
];

export const modelIn = (field: string, capability: Capability) => (fields: Fields): Requirement[] => [model(fields.requiredString(field), capability)];

export const deploymentIn = (field: string, capability: Capability) => async (fields: Fields, input: RuleInput): Promise<Requirement[]> => [
  model(await input.lookup.modelOfDeployment(fields.requiredString(field)), capability),
];

export const monitorIn = (field: string, capability: Capability) => async (fields: Fields, input: RuleInput): Promise<Requirement[]> => [
  model(await input.lookup.modelOfDeployment(await input.lookup.deploymentOfMonitor(fields.requiredString(field))), capability),
];

export const admin = (what: string): Requirement[] => [{ on: "admin", what }];
