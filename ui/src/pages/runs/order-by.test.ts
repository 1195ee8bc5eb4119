import { describe, expect, it } from "vitest";
import { nextSort } from "../../components/column-sort";
import { DEFAULT_SORT, readSort, toOrderBy } from "./order-by";

describe("toOrderBy", () => {
  it("quotes data keys in backticks and names attributes bare", () => {
    expect(toOrderBy({ column: "metrics.acc", direction: "desc" })).toBe("metrics.`acc` DESC");
    expect(toOrderBy({ column: "params.learning rate", direction: "asc" })).toBe("params.`learning rate` ASC");
    expect(toOrderBy({ column: "tags.a`b", direction: "asc" })).toBe("tags.`a``b` ASC");
    expect(toOrderBy({ column: "metrics.val.loss", direction: "desc" })).toBe("metrics.`val.loss` DESC");
    expect(toOrderBy({ column: "attributes.start_time", direction: "desc" })).toBe("attributes.start_time DESC");
    expect(toOrderBy({ column: "attributes.run_name", direction: "asc" })).toBe("attributes.run_name ASC");
  });

  it("has no clause for a column the server cannot order by", () => {
    expect(toOrderBy({ column: "attributes.duration", direction: "asc" })).toBeUndefined();
    expect(toOrderBy({ column: "bogus", direction: "asc" })).toBeUndefined();
  });
});

describe("readSort", () => {
  it("reads the URL's sort and direction, falling back to newest first", () => {
    expect(readSort("metrics.acc", "asc")).toEqual({ column: "metrics.acc", direction: "asc" });
    expect(readSort("metrics.acc", "")).toEqual({ column: "metrics.acc", direction: "desc" });
    expect(readSort("", "asc")).toEqual(DEFAULT_SORT);
    expect(readSort("attributes.duration", "asc")).toEqual(DEFAULT_SORT);
  });
});

describe("nextSort", () => {
  it("flips the direction of the sorted column and starts another column descending", () => {
    expect(nextSort({ column: "metrics.acc", direction: "desc" }, "metrics.acc")).toEqual({ column: "metrics.acc", direction: "asc" });
    expect(nextSort({ column: "metrics.acc", direction: "asc" }, "metrics.acc")).toEqual({ column: "metrics.acc", direction: "desc" });
    expect(nextSort({ column: "metrics.acc", direction: "asc" }, "params.lr")).toEqual({ column: "params.lr", direction: "desc" });
  });
});
