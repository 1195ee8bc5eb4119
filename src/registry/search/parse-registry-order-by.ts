import { invalidParameter } from "../../core/errors.js";
import { MAX_FILTER_LENGTH } from "../../tracking/search/parse-filter.js";
import { Scanner } from "../../tracking/search/scanner.js";
import { readSortDirection } from "../../tracking/search/sort-direction.js";
import type { RegistryOrderBy } from "../store.js";
import { pythonList, pythonSet, readRegistryIdentifier, resolveRegistryEntity } from "./registry-identifier.js";

/**
 * Registry order_by clauses `<key> [ASC|DESC]` (ascending by default). The store appends MLflow's defaults and
 * tie-breakers (models: name ASC; versions: last_updated_timestamp DESC, name ASC, version_number DESC when none
 * is given, then name ASC and version_number DESC), so the parsers return only what the client asked for.
 *
 * Models accept MLflow's SQL store keys (name, timestamp, last_updated_timestamp; `timestamp` means
 * last_updated_timestamp there) plus creation_timestamp, which MLflow's file store and docs accept.
 */

const MODEL_KEYS: ReadonlyMap<string, string> = new Map([
  ["name", "name"],
  ["timestamp", "last_updated_timestamp"],
  ["last_updated_timestamp", "last_updated_timestamp"],
  ["creation_timestamp", "creation_timestamp"],
]);

const VERSION_KEYS: readonly string[] = ["name", "version_number", "creation_timestamp", "last_updated_timestamp"];

function readClause(clause: string, resolveKey: (scanner: Scanner) => string): RegistryOrderBy {
  const unparsable = (): Error => invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  if (clause.trim() === "" || clause.length > MAX_FILTER_LENGTH) throw unparsable();
  const scanner = new Scanner(clause, "order_by clause");
  const key = resolveKey(scanner);
  return { key, ascending: readSortDirection(scanner, clause, unparsable) };
}

/** A field given twice is refused, as MLflow's SQL store does: the second clause could never take effect. */
function refuseDuplicates(clauses: readonly string[], parsed: readonly RegistryOrderBy[]): RegistryOrderBy[] {
  const keys = new Set(parsed.map((clause) => clause.key));
  if (keys.size !== parsed.length) {
    throw invalidParameter(`\`order_by\` contains duplicate fields: ${pythonList(clauses)}`);
  }
  return [...parsed];
}

export function parseRegisteredModelOrderBy(clauses: readonly string[] | undefined): RegistryOrderBy[] {
  const list = clauses ?? [];
  const parsed = list.map((clause) =>
    readClause(clause, (scanner) => {
      const raw = readRegistryIdentifier(scanner);
      const written = raw.entity === undefined ? raw.key : `${raw.entity}.${raw.key}`;
      const key = MODEL_KEYS.get(written);
      if (key === undefined) {
        throw invalidParameter(
          `Invalid order by key '${written}' specified. Valid keys are '${pythonSet([...MODEL_KEYS.keys()])}'`,
        );
      }
      return key;
    }),
  );
  return refuseDuplicates(list, parsed);
}

export function parseModelVersionOrderBy(clauses: readonly string[] | undefined): RegistryOrderBy[] {
  const list = clauses ?? [];
  const parsed = list.map((clause) =>
    readClause(clause, (scanner) => {
      const raw = readRegistryIdentifier(scanner);
      const entity = resolveRegistryEntity(raw);
      if (entity === "attribute" && !VERSION_KEYS.includes(raw.key)) {
        throw invalidParameter(`Invalid attribute key '${raw.key}' specified. Valid keys are '${pythonSet(VERSION_KEYS)}'`);
      }
      if (entity === "tag") {
        throw invalidParameter(`Invalid order by key '${raw.key}' specified. Valid keys are ${pythonSet(VERSION_KEYS)}`);
      }
      return raw.key;
    }),
  );
  return refuseDuplicates(list, parsed);
}
