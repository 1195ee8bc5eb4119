import { describe, expect, it } from "vitest";
import { useRecordingClient } from "./test-support/recording-client.js";

const { clientFor, sent } = useRecordingClient();

describe("GovernanceApi requests", () => {
  it("sets, lists and deletes promotion rules under /api/2.0/cairn", async () => {
    const rule = { name: "churn", target: "alias:champion", required_approvals: 2 };
    const client = await clientFor((request) => ({ status: 200, body: request.url.includes("list") ? { rules: [rule] } : { rule } }));
    const set = await client.governance.setRule({
      name: "churn",
      target: "alias:champion",
      requiredTags: { validation_status: "passed" },
      metricThresholds: [{ metric: "accuracy", comparator: ">=", value: 0.9 }],
      requiredApprovals: 2,
    });
    // Empty lists the server left out come back as [].
    expect(set).toEqual({ ...rule, required_tags: [], metric_thresholds: [], forbid_self_approval: false });
    expect(await client.governance.listRules("churn")).toEqual([{ ...rule, required_tags: [], metric_thresholds: [], forbid_self_approval: false }]);
    await client.governance.deleteRule("churn", "alias:champion");
    expect(sent()).toEqual([
      `POST /api/2.0/cairn/registered-models/promotion-rules/set {"name":"churn","target":"alias:champion","required_tags":[{"key":"validation_status","value":"passed"}],"metric_thresholds":[{"metric":"accuracy","comparator":">=","value":0.9}],"required_approvals":2}`,
      "GET /api/2.0/cairn/registered-models/promotion-rules/list?name=churn",
      `DELETE /api/2.0/cairn/registered-models/promotion-rules/delete {"name":"churn","target":"alias:champion"}`,
    ]);
  });

  it("approves, lists approvals and checks a promotion", async () => {
    const approval = { name: "churn", version: "3", target: "alias:champion", actor: { name: "ada", verified: false }, time: 5, comment: "ok" };
    const client = await clientFor((request) => ({
      status: 200,
      body: request.url.includes("promotion-check")
        ? { allowed: false, unmet: ["2 approvals needed, 1 given (by ada)"] }
        : request.url.includes("approvals")
          ? {}
          : { approval },
    }));
    expect(await client.governance.approve("churn", 3, "alias:champion", "ok")).toEqual(approval);
    expect(await client.governance.listApprovals("churn", 3)).toEqual([]);
    expect(await client.governance.checkPromotion("churn", "3", "alias:champion")).toEqual({ allowed: false, unmet: ["2 approvals needed, 1 given (by ada)"] });
    expect(sent()).toEqual([
      `POST /api/2.0/cairn/model-versions/approve {"name":"churn","version":"3","target":"alias:champion","comment":"ok"}`,
      "GET /api/2.0/cairn/model-versions/approvals?name=churn&version=3",
      "GET /api/2.0/cairn/model-versions/promotion-check?name=churn&version=3&target=alias:champion",
    ]);
  });

  it("sets the self-approval option, lists approvals across versions page by page and revokes one", async () => {
    const approval = (actor: string, time: number) => ({ name: "churn", version: "3", target: "alias:champion", actor: { name: actor, verified: false }, time });
    const revoked = { ...approval("ada", 5), revoked_by: { name: "ada", verified: false }, revoked_time: 9 };
    const client = await clientFor((request) => {
      if (request.url.includes("promotion-rules")) return { status: 200, body: { rule: { name: "churn", target: "alias:champion", required_approvals: 1, forbid_self_approval: true } } };
      if (request.method === "DELETE") return { status: 200, body: { approval: revoked } };
      if (request.url.includes("page_token=t2")) return { status: 200, body: { approvals: [revoked] } };
      return { status: 200, body: { approvals: [approval("bob", 7)], next_page_token: "t2" } };
    });
    expect((await client.governance.setRule({ name: "churn", target: "alias:champion", requiredApprovals: 1, forbidSelfApproval: true })).forbid_self_approval).toBe(true);
    expect(await client.governance.searchApprovals({ name: "churn", version: 3, target: "alias:champion", includeRevoked: true, maxResults: 1 })).toEqual({
      items: [approval("bob", 7)],
      nextPageToken: "t2",
    });
    const all: unknown[] = [];
    for await (const item of client.governance.searchApprovalsAll({ name: "churn", includeRevoked: true })) all.push(item);
    expect(all).toEqual([approval("bob", 7), revoked]);
    expect(await client.governance.revokeApproval("churn", 3, "alias:champion")).toEqual(revoked);
    expect(sent()).toEqual([
      `POST /api/2.0/cairn/registered-models/promotion-rules/set {"name":"churn","target":"alias:champion","required_tags":[],"metric_thresholds":[],"required_approvals":1,"forbid_self_approval":true}`,
      "GET /api/2.0/cairn/governance/approvals?name=churn&version=3&target=alias:champion&include_revoked=true&max_results=1",
      "GET /api/2.0/cairn/governance/approvals?name=churn&include_revoked=true",
      "GET /api/2.0/cairn/governance/approvals?name=churn&include_revoked=true&page_token=t2",
      `DELETE /api/2.0/cairn/governance/approvals {"name":"churn","version":"3","target":"alias:champion"}`,
    ]);
  });

  it("reads lineage, dataset usage and model cards (JSON, and documents as text)", async () => {
    const client = await clientFor((request) => {
      if (request.url.includes("lineage")) return { status: 200, body: { nodes: [{ id: "model_version:churn/3", type: "model_version", label: "churn v3" }] } };
      if (request.url.includes("usage")) return { status: 200, body: { runs: [{ run_id: "r1", experiment_id: "0" }] } };
      if (request.url.includes("format=markdown")) return { status: 200, body: "# churn v3", headers: { "content-type": "text/markdown; charset=utf-8" } };
      if (request.url.includes("format=html")) return { status: 200, body: { html: "<h1>churn v3</h1>" } };
      return { status: 200, body: { card: { name: "churn", version: "3", owners: ["ada"] } } };
    });
    expect(await client.governance.lineage("churn", 3)).toEqual({ nodes: [{ id: "model_version:churn/3", type: "model_version", label: "churn v3" }], edges: [] });
    expect(await client.governance.datasetUsage("iris")).toEqual({ runs: [{ run_id: "r1", experiment_id: "0" }], model_versions: [] });
    expect(await client.governance.setCard("churn", 3, { intended_use: "scoring", owners: ["ada"] })).toEqual({ name: "churn", version: "3", owners: ["ada"] });
    expect(await client.governance.getCard("churn", 3)).toEqual({ name: "churn", version: "3", owners: ["ada"] });
    // The recording server JSON-encodes bodies: a text/markdown answer arrives as a JSON string literal here.
    expect(await client.governance.renderCard("churn", 3, "markdown")).toBe('"# churn v3"');
    expect(await client.governance.renderCard("churn", 3, "html")).toBe("<h1>churn v3</h1>");
    expect(sent()).toEqual([
      "GET /api/2.0/cairn/model-versions/lineage?name=churn&version=3",
      "GET /api/2.0/cairn/datasets/usage?name=iris",
      `POST /api/2.0/cairn/model-versions/card/set {"intended_use":"scoring","owners":["ada"],"name":"churn","version":"3"}`,
      "GET /api/2.0/cairn/model-versions/card?name=churn&version=3&format=json",
      "GET /api/2.0/cairn/model-versions/card?name=churn&version=3&format=markdown",
      "GET /api/2.0/cairn/model-versions/card?name=churn&version=3&format=html",
    ]);
  });
});
