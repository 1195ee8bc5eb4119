import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GOVERNANCE_NOW, type GovernanceTestApp, registerVersion, startGovernanceApp } from "./governance-test-app.js";

const as = (name: string): Record<string, string> => ({ "x-cairn-user": name });

describe("governance API: model cards", () => {
  let kit: GovernanceTestApp;
  let runId: string;

  beforeEach(async () => {
    kit = await startGovernanceApp();
    runId = await kit.createRun();
    const metrics = [
      { key: "rmse", value: 0.5, timestamp: 1, step: 0 },
      { key: "accuracy", value: 0.88, timestamp: 1, step: 0 },
      { key: "accuracy", value: 0.91, timestamp: 2, step: 3 },
    ];
    await kit.call("POST", "runs/log-batch", { run_id: runId, metrics }, {}, "mlflow");
    await registerVersion(kit, "churn", runId);
  });
  afterEach(async () => {
    await kit.close();
  });

  const card = (format?: string, version = "1") =>
    kit.call("GET", "model-versions/card", { name: "churn", version, ...(format === undefined ? {} : { format }) });

  it("an undocumented version has an empty card with its run's latest metrics", async () => {
    expect((await card()).body).toEqual({
      card: {
        name: "churn",
        version: "1",
        run_id: runId,
        description: "",
        intended_use: "",
        training_data: "",
        evaluation_metrics: [
          { key: "accuracy", value: 0.91, step: 3 },
          { key: "rmse", value: 0.5, step: 0 },
        ],
        limitations: "",
        ethical_considerations: "",
        owners: [],
      },
    });
  });

  it("sets fields (absent ones keep their value), audits each write, and exports Markdown and HTML", async () => {
    const first = await kit.call(
      "POST",
      "model-versions/card/set",
      {
        name: "churn",
        version: "1",
        description: "Predicts **churn** within 30 days.",
        intended_use: "Retention campaigns.",
        training_data: "Customers 2023.\n\nDeduplicated by account.",
        owners: ["ada", "bob"],
      },
      as("ada"),
    );
    expect(first.status).toBe(200);
    const second = await kit.call("POST", "model-versions/card/set", { name: "churn", version: 1, limitations: "Not for B2B.", owners: ["ada"] }, as("bob"));
    expect(second.body).toEqual({
      card: {
        name: "churn",
        version: "1",
        run_id: runId,
        description: "Predicts **churn** within 30 days.",
        intended_use: "Retention campaigns.",
        training_data: "Customers 2023.\n\nDeduplicated by account.",
        evaluation_metrics: [
          { key: "accuracy", value: 0.91, step: 3 },
          { key: "rmse", value: 0.5, step: 0 },
        ],
        limitations: "Not for B2B.",
        ethical_considerations: "",
        owners: ["ada"],
        updated_by: { name: "bob", verified: false },
        updated_time: GOVERNANCE_NOW + 1000,
      },
    });
    expect((await card("json")).body).toEqual(second.body);
    expect(kit.audited.map(({ context, entry }) => [context.actor.name, entry.action, entry.entityType, entry.entityId])).toEqual([
      ["ada", "governance.model_card.set", "model_version", "churn/1"],
      ["bob", "governance.model_card.set", "model_version", "churn/1"],
    ]);
    expect(kit.audited[0]?.entry.before).toBeNull();
    expect(kit.audited[1]?.entry).toMatchObject({
      before: { limitations: "", owners: ["ada", "bob"] },
      after: { limitations: "Not for B2B.", owners: ["ada"], description: "Predicts **churn** within 30 days." },
    });

    const markdown = await card("markdown");
    expect(markdown.status).toBe(200);
    expect(markdown.contentType).toBe("text/markdown; charset=utf-8");
    expect(markdown.text).toBe(
      [
        "# Model card: churn version 1",
        "",
        "Predicts **churn** within 30 days.",
        "",
        "## Intended use",
        "",
        "Retention campaigns.",
        "",
        "## Training data",
        "",
        "Customers 2023.",
        "",
        "Deduplicated by account.",
        "",
        "## Evaluation metrics",
        "",
        "| Metric | Value | Step |",
        "| --- | ---: | ---: |",
        "| accuracy | 0.91 | 3 |",
        "| rmse | 0.5 | 0 |",
        "",
        `Latest values from run \`${runId}\`.`,
        "",
        "## Limitations",
        "",
        "Not for B2B.",
        "",
        "## Ethical considerations",
        "",
        "_Not documented._",
        "",
        "## Owners",
        "",
        "- ada",
        "",
      ].join("\n"),
    );

    const html = await card("html");
    expect(html.contentType).toBe("text/html; charset=utf-8");
    expect(html.text).toBe(
      [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        "<title>Model card: churn version 1</title>",
        "</head>",
        "<body>",
        "<h1>Model card: churn version 1</h1>",
        "<p>Predicts **churn** within 30 days.</p>",
        "<section>\n<h2>Intended use</h2>\n<p>Retention campaigns.</p>\n</section>",
        "<section>\n<h2>Training data</h2>\n<p>Customers 2023.</p>\n<p>Deduplicated by account.</p>\n</section>",
        "<section>\n<h2>Evaluation metrics</h2>",
        "<table>",
        "<thead><tr><th>Metric</th><th>Value</th><th>Step</th></tr></thead>",
        "<tbody>",
        "<tr><td>accuracy</td><td>0.91</td><td>3</td></tr>",
        "<tr><td>rmse</td><td>0.5</td><td>0</td></tr>",
        "</tbody>",
        "</table>",
        `<p>Latest values from run <code>${runId}</code>.</p>`,
        "</section>",
        "<section>\n<h2>Limitations</h2>\n<p>Not for B2B.</p>\n</section>",
        "<section>\n<h2>Ethical considerations</h2>\n<p><em>Not documented.</em></p>\n</section>",
        "<section>\n<h2>Owners</h2>\n<ul>\n<li>ada</li>\n</ul>\n</section>",
        "</body>",
        "</html>",
        "",
      ].join("\n"),
    );
  });

  it("user text never becomes markup in HTML, nor raw HTML in Markdown", async () => {
    const attack = '<script>alert("x")</script> & <img src=x onerror=\'y\'>';
    await kit.registry.createRegisteredModel({ name: "<b>evil</b>", tags: [], now: GOVERNANCE_NOW });
    const version = await registerVersion(kit, "<b>evil</b>");
    await kit.call(
      "POST",
      "model-versions/card/set",
      { name: "<b>evil</b>", version, description: attack, limitations: `line one\n${attack}`, owners: ["<i>eve</i>"] },
      as("eve"),
    );
    const html = (await kit.call("GET", "model-versions/card", { name: "<b>evil</b>", version, format: "html" })).text;
    const escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=&#39;y&#39;&gt;";
    expect(html).toContain(`<title>Model card: &lt;b&gt;evil&lt;/b&gt; version 1</title>`);
    expect(html).toContain(`<p>${escaped}</p>`);
    expect(html).toContain(`<p>line one<br>${escaped}</p>`);
    expect(html).toContain("<li>&lt;i&gt;eve&lt;/i&gt;</li>");
    expect(html).toContain("<p><em>No source run.</em></p>");
    expect(html).not.toMatch(/<script|<img|<b>|<i>/);

    const markdown = (await kit.call("GET", "model-versions/card", { name: "<b>evil</b>", version, format: "markdown" })).text;
    expect(markdown).toContain("# Model card: \\<b\\>evil\\</b\\> version 1");
    expect(markdown).toContain('\\<script>alert("x")\\</script> & \\<img src=x onerror=\'y\'>');
    expect(markdown).toContain("- \\<i\\>eve\\</i\\>");
    expect(markdown).toContain("_No source run._");
    expect(markdown).not.toMatch(/(^|[^\\])<(script|img|b|i)/);
  });

  it("refuses bad requests with MLflow-shaped errors", async () => {
    const error = async (method: "GET" | "POST", path: string, payload: Record<string, unknown>) => {
      const response = await kit.call(method, path, payload, as("ada"));
      return [response.status, response.body.error_code, response.body.message];
    };
    expect(await error("GET", "model-versions/card", { name: "churn", version: "7" })).toEqual([
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "Model Version (name=churn, version=7) not found",
    ]);
    expect(await error("GET", "model-versions/card", { name: "churn", version: "1", format: "pdf" })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Invalid value 'pdf' for parameter 'format' supplied: must be one of json, markdown, html.",
    ]);
    expect(await error("POST", "model-versions/card/set", { version: "1" })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
    ]);
    expect(await error("POST", "model-versions/card/set", { name: "churn", version: "7", description: "x" })).toEqual([
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "Model Version (name=churn, version=7) not found",
    ]);
    expect(await error("POST", "model-versions/card/set", { name: "churn", version: "1", intended_use: "x".repeat(65537) })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "'intended_use' is 65537 characters long; at most 65536 are allowed.",
    ]);
    expect(await error("POST", "model-versions/card/set", { name: "churn", version: "1", owners: ["ada", " "] })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "'owners[1]' must be 1 to 256 characters long.",
    ]);
    expect(await error("POST", "model-versions/card/set", { name: "churn", version: "1", owners: "ada" })).toEqual([
      200,
      undefined,
      undefined,
    ]);
    expect(await error("POST", "model-versions/card/set", { name: "churn", version: "1", owners: [3] })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Invalid value 3 for parameter 'owners[0]' supplied: expected a string, got number.",
    ]);
    expect(await error("POST", "model-versions/card/set", { name: "churn", version: "1", limitations: 5 })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Invalid value 5 for parameter 'limitations' supplied: expected a string, got number.",
    ]);
  });
});
