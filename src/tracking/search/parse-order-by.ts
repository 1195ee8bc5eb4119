import { invalidParameter } from "../../core/errors.js";
import type { OrderByClause } from "./ast.js";
import { MAX_FILTER_LENGTH } from "./parse-filter.js";
import { readIdentifier, resolveRunIdentifier } from "./run-identifier.js";
import { Scanner } from "./scanner.js";
import { readSortDirection } from "./sort-direction.js";

/**
 * search-runs `order_by`: each clause is `<entity>.<key> [ASC|DESC]` (ascending by default, direction
 * case-insensitive), with MLflow's orderable attributes and messages. A field given twice is refused, as MLflow's
 * SQL store does, because the second clause could never take effect.
 */
export function parseRunOrderBy(clauses: readonly string[]): OrderByClause[] {
  const parsed: OrderByClause[] = [];
  const seen = new Set<string>();
  for (const clause of clauses) {
    const one = parseClause(clause);
    const field = `${one.entity}\u0000${one.key}`;
    if (seen.has(field)) {
      throw invalidParameter(
        `\`order_by\` contains duplicate fields: [${clauses.map((c) => `'${c}'`).join(", ")}]`,
      );
    }
    seen.add(field);
    parsed.push(one);
  }
  return parsed;
}

function parseClause(clause: string): OrderByClause {
  const unparsable = (): Error => invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  if (clause.trim() === "" || clause.length > MAX_FILTER_LENGTH) throw unparsable();
  const scanner = new Scanner(clause, "order_by clause");
  const id = resolveRunIdentifier(scanner, readIdentifier(scanner), "order_by");
  if (id.entity === "dataset") {
    throw invalidParameter(`Invalid order_by entity type 'dataset' in order_by clause '${clause}'`);
  }
  const ascending = readSortDirection(scanner, clause, unparsable);
  return { entity: id.entity, key: id.key, ascending };
}
