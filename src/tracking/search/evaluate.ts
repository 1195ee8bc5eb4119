import { SystemTag, type Run } from "../../protocol/mlflow/entities.js";
import type { Comparator, Comparison, FilterExpression, NullCheck, OrderByClause } from "./ast.js";
import { compareCodePoints, ilike, like } from "./like.js";

/**
 * The in-memory meaning of a run search, written independently of any SQL so that the stores can be tested
 * against it. MLflow's semantics: a metric compares its latest value; a comparison on a metric/param/tag the run
 * lacks (or a null attribute) is false, also for `!=`; NaN follows IEEE (only `!=` holds); a dataset comparison
 * holds when any of the run's dataset inputs satisfies it.
 */

type Scalar = number | string | undefined;

function entityValue(run: Run, entity: "metric" | "param" | "tag" | "attribute", key: string): Scalar {
  switch (entity) {
    case "metric":
      return run.data.metrics.find((m) => m.key === key)?.value;
    case "param":
      return run.data.params.find((p) => p.key === key)?.value;
    case "tag":
      return run.data.tags.find((t) => t.key === key)?.value;
    case "attribute": {
      const value = (run.info as unknown as Record<string, unknown>)[key];
      return typeof value === "number" || typeof value === "string" ? value : undefined;
    }
  }
}

function compare(lhs: Scalar, comparator: Comparator, rhs: Comparison["value"]): boolean {
  if (lhs === undefined) return false;
  switch (comparator) {
    case "=":
      return lhs === rhs;
    case "!=":
      return lhs !== rhs;
    case ">":
      return (lhs as number) > (rhs as number);
    case ">=":
      return (lhs as number) >= (rhs as number);
    case "<":
      return (lhs as number) < (rhs as number);
    case "<=":
      return (lhs as number) <= (rhs as number);
    case "LIKE":
      return like(String(lhs), rhs as string);
    case "ILIKE":
      return ilike(String(lhs), rhs as string);
    case "IN":
      return (rhs as string[]).includes(lhs as string);
    case "NOT IN":
      return !(rhs as string[]).includes(lhs as string);
  }
}

function matchesComparison(run: Run, c: Comparison): boolean {
  if (c.entity !== "dataset") return compare(entityValue(run, c.entity, c.key), c.comparator, c.value);
  return run.inputs.dataset_inputs.some((input) => {
    if (c.key !== "context") {
      return compare(input.dataset[c.key as "name" | "digest"], c.comparator, c.value);
    }
    return input.tags.some((t) => t.key === SystemTag.DATASET_CONTEXT && compare(t.value, c.comparator, c.value));
  });
}

function matchesNullCheck(run: Run, n: NullCheck): boolean {
  return (entityValue(run, n.entity, n.key) === undefined) !== n.negated;
}

export function matches(run: Run, filter: FilterExpression): boolean {
  switch (filter.kind) {
    case "compare":
      return matchesComparison(run, filter);
    case "null-check":
      return matchesNullCheck(run, filter);
    case "and":
      return filter.operands.every((operand) => matches(run, operand));
    case "or":
      return filter.operands.some((operand) => matches(run, operand));
  }
}

export function filterRuns(runs: readonly Run[], filter?: FilterExpression): Run[] {
  return filter === undefined ? [...runs] : runs.filter((run) => matches(run, filter));
}

/** Values first (in the clause's direction), then NaN, then missing, in both directions: MLflow's SQL order. */
function compareForClause(a: Scalar, b: Scalar, ascending: boolean): number {
  const rank = (v: Scalar): number => (v === undefined ? 2 : typeof v === "number" && Number.isNaN(v) ? 1 : 0);
  const byRank = rank(a) - rank(b);
  if (byRank !== 0 || rank(a) !== 0) return byRank;
  const order =
    typeof a === "string" && typeof b === "string"
      ? compareCodePoints(a, b)
      : (a as number) < (b as number)
        ? -1
        : (a as number) > (b as number)
          ? 1
          : 0;
  return ascending ? order : -order;
}

/**
 * The clauses in turn, then start_time DESC unless a clause already orders by start_time, then run_id ascending,
 * so the order is total and paging is stable.
 */
export function sortRuns(runs: readonly Run[], orderBy: readonly OrderByClause[]): Run[] {
  const clauses: OrderByClause[] = [...orderBy];
  if (!orderBy.some((c) => c.entity === "attribute" && c.key === "start_time")) {
    clauses.push({ entity: "attribute", key: "start_time", ascending: false });
  }
  clauses.push({ entity: "attribute", key: "run_id", ascending: true });
  const keyed = runs.map((run) => ({ run, values: clauses.map((c) => entityValue(run, c.entity, c.key)) }));
  keyed.sort((x, y) => {
    for (let i = 0; i < clauses.length; i++) {
      const order = compareForClause(x.values[i], y.values[i], clauses[i]?.ascending ?? true);
      if (order !== 0) return order;
    }
    return 0;
  });
  return keyed.map((k) => k.run);
}
