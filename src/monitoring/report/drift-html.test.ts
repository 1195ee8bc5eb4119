import { describe, expect, it } from "vitest";
import { DRIFT_SCHEMA_VERSION, type DriftResult } from "../drift/result.js";
import { renderDriftHtml } from "./drift-html.js";

const evil = `<script>alert("x")</script>`;

const result: DriftResult = {
  schema_version: DRIFT_SCHEMA_VERSION,
  reference: { source: "https://example.com/ref.csv", rows: 100 },
  current: { source: "cur & <b>.csv", rows: 80 },
  dataset_drift: true,
  share_drifted: 0.5,
  drift_share: 0.5,
  number_of_columns: 2,
  number_of_drifted_columns: 1,
  columns: {
    [evil]: {
      column_type: "cat",
      method: "chisquare",
      method_name: "chi-square p_value",
      statistic: 12.5,
      p_value: 0.0019,
      threshold: 0.05,
      drifted: true,
      reference_rows: 100,
      current_rows: 80,
      reference_missing: 0,
      current_missing: 0,
      distribution: { kind: "categories", categories: [evil, "b"], reference: [0.5, 0.5], current: [0.8, 0.2] },
    },
    x: {
      column_type: "num",
      method: "wasserstein",
      method_name: "Wasserstein distance (normed)",
      statistic: 0.02,
      p_value: null,
      threshold: 0.1,
      drifted: false,
      reference_rows: 100,
      current_rows: 80,
      reference_missing: 0,
      current_missing: 0,
      sampled: "sampled 10 of 100 reference rows",
      distribution: { kind: "histogram", edges: [0, 1, 2], reference: [0.4, 0.6], current: [0.5, 0.5] },
    },
  },
  skipped_columns: { "<img src=x>": { column_type: "num", reason: "every value is missing in the reference (100 rows)" } },
  prediction_drift: null,
  target_drift: null,
};

describe("drift HTML report", () => {
  const html = renderDriftHtml(result);

  it("is one self-contained file: no script, no external resource", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).not.toMatch(/<script/i);
    // The only address is the reference's source, shown as text; nothing is loaded from anywhere.
    expect(html.replaceAll("https://example.com/ref.csv", "")).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<link|<img|<iframe|<object|<embed|@import|url\(/i);
    expect(html).not.toMatch(/<[a-z]+[^>]*\s(src|href)=/i);
    expect(html).toContain("<style>");
  });

  it("escapes every user string", () => {
    expect(html).not.toContain(evil);
    expect(html).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;");
    expect(html).not.toContain("<img src=x>");
    expect(html).not.toContain("<b>.csv");
    expect(html).toContain("cur &#38; &#60;b&#62;.csv");
  });

  it("has the summary, the test table, one plot per column and the sample note", () => {
    expect(html).toContain("drifted columns<b>1 of 2</b>");
    expect(html.match(/<svg /g)?.length).toBe(2);
    expect(html.match(/<rect class="ref"/g)?.length).toBe(4);
    expect(html).toContain("<td>wasserstein</td><td class=\"num\">0.02</td><td class=\"num\">-</td>");
    expect(html).toContain("sampled 10 of 100 reference rows");
    expect(html).toContain("every value is missing in the reference (100 rows)");
  });
});
