import { describe, expect, it } from "vitest";
import { sqliteDialect } from "../sqlite/sqlite-dialect.js";
import { compileModelVersionSearch, compileRegisteredModelSearch } from "./registry-search-compiler.js";

const scope = { orderBy: [], limit: 11, offset: 20 };

describe("registry search compiler", () => {
  it("binds every value, in text order, and never interpolates one", () => {
    const hostile = "x'; DROP TABLE registered_models; --";
    const compiled = compileRegisteredModelSearch(sqliteDialect, {
      ...scope,
      filter: [
        { entity: "attribute", key: "name", comparator: "=", value: hostile },
        { entity: "tag", key: "team", comparator: "LIKE", value: "r%" },
      ],
    });
    expect(compiled.sql).toBe(
      "SELECT m.model_key FROM registered_models m WHERE " +
        "NOT EXISTS (SELECT 1 FROM registered_model_tags p WHERE p.model_key = m.model_key AND p.key = ? AND p.value = ?) AND " +
        "m.name = ? AND " +
        "EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.model_key = m.model_key AND t.key = ? AND t.value GLOB ?) " +
        "ORDER BY m.name ASC LIMIT ? OFFSET ?",
    );
    expect(compiled.params).toEqual(["mlflow.prompt.is_prompt", "true", hostile, "team", "r*", 11, 20]);
  });

  it("orders versions by MLflow's default and tie-breakers, and binds IN lists", () => {
    const compiled = compileModelVersionSearch(sqliteDialect, {
      ...scope,
      filter: [
        { entity: "attribute", key: "run_id", comparator: "IN", value: ["a", "b"] },
        { entity: "attribute", key: "version_number", comparator: ">=", value: 2 },
      ],
    });
    expect(compiled.sql).toBe(
      "SELECT v.version_key FROM model_versions v WHERE " +
        "NOT EXISTS (SELECT 1 FROM model_version_tags p WHERE p.version_key = v.version_key AND p.key = ? AND p.value = ?) AND " +
        "v.run_id IN (?, ?) AND v.version >= ? " +
        "ORDER BY v.last_updated_time DESC, v.name ASC, v.version DESC LIMIT ? OFFSET ?",
    );
    expect(compiled.params).toEqual(["mlflow.prompt.is_prompt", "true", "a", "b", 2, 11, 20]);
    const ordered = compileModelVersionSearch(sqliteDialect, {
      ...scope,
      filter: [{ entity: "tag", key: "mlflow.prompt.is_prompt", comparator: "=", value: "true" }],
      orderBy: [{ key: "creation_timestamp", ascending: true }],
    });
    expect(ordered.sql).toBe(
      "SELECT v.version_key FROM model_versions v WHERE " +
        "EXISTS (SELECT 1 FROM model_version_tags t WHERE t.version_key = v.version_key AND t.key = ? AND t.value = ?) " +
        "ORDER BY v.creation_time ASC, v.name ASC, v.version DESC LIMIT ? OFFSET ?",
    );
  });

  it("refuses comparisons MLflow refuses even when built by hand", () => {
    const refuse = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    };
    expect(
      refuse(() =>
        compileRegisteredModelSearch(sqliteDialect, { ...scope, filter: [{ entity: "attribute", key: "run_id", comparator: "=", value: "x" }] }),
      ),
    ).toBe("Invalid attribute name: run_id");
    expect(
      refuse(() =>
        compileModelVersionSearch(sqliteDialect, { ...scope, filter: [{ entity: "attribute", key: "name", comparator: "IN", value: ["x"] }] }),
      ),
    ).toBe("Invalid comparator for attribute: IN");
    expect(
      refuse(() =>
        compileModelVersionSearch(sqliteDialect, { ...scope, filter: [{ entity: "tag", key: "k", comparator: ">", value: "x" }] }),
      ),
    ).toBe("Invalid comparator for tag: >");
  });
});
