import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Approval, GovernanceStore, PromotionRule, StoredApproval, StoredModelCard } from "./governance-store.js";

/**
 * The contract every GovernanceStore backend passes (SQLite now, PostgreSQL later). Each test gets a fresh, empty
 * store and asserts exact values, so two backends that pass behave the same: one rule per (model, target), one
 * standing approval per (model, version, target, actor), revoked approvals kept and listed on request, newest first
 * with keyset paging, and rows that follow renames and deletes.
 */
export type OpenGovernanceStore = () => Promise<{ store: GovernanceStore; cleanup(): Promise<void> }>;

const ada = { name: "ada", verified: false };

const rule = (name: string, target: string, requiredApprovals = 1): PromotionRule => ({
  name,
  target,
  requiredTags: [{ key: "validation_status", value: "passed" }],
  metricThresholds: [{ metric: "accuracy", comparator: ">=", value: 0.9 }],
  requiredApprovals,
  forbidSelfApproval: false,
  updatedBy: ada,
  updatedTime: 10,
});

const approval = (name: string, version: string, target: string, actor: string, time: number, comment?: string): Approval => ({
  name,
  version,
  target,
  actor: { name: actor, verified: actor === "cairn" },
  time,
  ...(comment === undefined ? {} : { comment }),
});

/** A stored approval without its id (ids are the backend's; tests compare them only with each other). */
const withoutId = ({ id: _id, ...rest }: StoredApproval): Approval & Partial<StoredApproval> => rest;

const card = (name: string, version: string, description: string): StoredModelCard => ({
  name,
  version,
  description,
  intendedUse: "use",
  trainingData: "data",
  limitations: "",
  ethicalConsiderations: "",
  owners: ["ada", "bob"],
  updatedBy: ada,
  updatedTime: 20,
});

export function describeGovernanceStoreContract(backend: string, open: OpenGovernanceStore): void {
  describe(`GovernanceStore contract: ${backend}`, () => {
    let store: GovernanceStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    it("keeps one rule per (model, target): put replaces, list is ordered by target, delete says whether it deleted", async () => {
      await store.putRule(rule("churn", "stage:Production"));
      await store.putRule(rule("churn", "alias:champion"));
      await store.putRule({
        ...rule("churn", "alias:champion", 3),
        requiredTags: [],
        forbidSelfApproval: true,
        updatedBy: { name: "bob", verified: true },
        updatedTime: 11,
      });
      await store.putRule(rule("other", "alias:champion"));
      expect(await store.getRule("churn", "alias:champion")).toEqual({
        name: "churn",
        target: "alias:champion",
        requiredTags: [],
        metricThresholds: [{ metric: "accuracy", comparator: ">=", value: 0.9 }],
        requiredApprovals: 3,
        forbidSelfApproval: true,
        updatedBy: { name: "bob", verified: true },
        updatedTime: 11,
      });
      expect((await store.getRule("churn", "stage:Production"))?.forbidSelfApproval).toBe(false);
      // Replacing a rule replaces its option too: false is stored, not left as it was.
      await store.putRule(rule("churn", "alias:champion"));
      expect((await store.getRule("churn", "alias:champion"))?.forbidSelfApproval).toBe(false);
      expect((await store.listRules("churn")).map((found) => found.target)).toEqual(["alias:champion", "stage:Production"]);
      expect(await store.deleteRule("churn", "stage:Production")).toBe(true);
      expect(await store.deleteRule("churn", "stage:Production")).toBe(false);
      expect(await store.getRule("churn", "stage:Production")).toBeUndefined();
    });

    it("records one standing approval per actor, version and target; the first one stands", async () => {
      const first = await store.addApproval(approval("churn", "1", "alias:champion", "ada", 5, "ok"));
      expect(first.created).toBe(true);
      expect(withoutId(first.approval)).toEqual(approval("churn", "1", "alias:champion", "ada", 5, "ok"));
      const again = await store.addApproval(approval("churn", "1", "alias:champion", "ada", 9, "again"));
      expect(again).toEqual({ approval: first.approval, created: false });
      await store.addApproval(approval("churn", "1", "stage:Production", "ada", 6));
      await store.addApproval(approval("churn", "1", "alias:champion", "cairn", 7));
      await store.addApproval(approval("churn", "2", "alias:champion", "bob", 8));
      expect((await store.listApprovals("churn", "1")).map(withoutId)).toEqual([
        approval("churn", "1", "alias:champion", "ada", 5, "ok"),
        approval("churn", "1", "stage:Production", "ada", 6),
        approval("churn", "1", "alias:champion", "cairn", 7),
      ]);
      expect((await store.listApprovals("churn", "1", "alias:champion")).map((found) => found.actor.name)).toEqual(["ada", "cairn"]);
      const ids = (await store.listApprovals("churn", "1")).map((found) => found.id);
      expect(new Set(ids).size).toBe(3);
    });

    it("revokes a standing approval once: it stops standing, stays listed with who and when, and a new approval may follow", async () => {
      const { approval: standing } = await store.addApproval(approval("churn", "1", "alias:champion", "ada", 5, "ok"));
      await store.addApproval(approval("churn", "1", "alias:champion", "bob", 6));
      const revoked = await store.revokeApproval(standing.id, { name: "ada", verified: true }, 20);
      expect(revoked).toEqual({ ...standing, revokedBy: { name: "ada", verified: true }, revokedTime: 20 });
      // A second revoke changes nothing and says so; an unknown id likewise.
      expect(await store.revokeApproval(standing.id, { name: "eve", verified: false }, 30)).toBeUndefined();
      expect(await store.revokeApproval(standing.id + 1000, ada, 30)).toBeUndefined();
      expect((await store.listApprovals("churn", "1", "alias:champion")).map((found) => found.actor.name)).toEqual(["bob"]);

      const renewed = await store.addApproval(approval("churn", "1", "alias:champion", "ada", 40, "after a second look"));
      expect(renewed.created).toBe(true);
      expect(renewed.approval.id).not.toBe(standing.id);
      expect(renewed.approval.revokedTime).toBeUndefined();
      expect((await store.listApprovals("churn", "1", "alias:champion")).map((found) => [found.actor.name, found.time])).toEqual([
        ["bob", 6],
        ["ada", 40],
      ]);
      const all = await store.searchApprovals({ name: "churn", includeRevoked: true, maxResults: 10 });
      expect(all.nextPageToken).toBeUndefined();
      expect(all.items.map((found) => [found.actor.name, found.time, found.revokedBy?.name ?? null, found.revokedTime ?? null])).toEqual([
        ["ada", 40, null, null],
        ["bob", 6, null, null],
        ["ada", 5, "ada", 20],
      ]);
    });

    it("searches a model's approvals newest first, filtered by version, target and revocation, in keyset pages", async () => {
      await store.addApproval(approval("churn", "1", "alias:champion", "ada", 5));
      await store.addApproval(approval("churn", "1", "stage:Production", "ada", 6));
      await store.addApproval(approval("churn", "2", "alias:champion", "bob", 7));
      await store.addApproval(approval("churn", "2", "alias:champion", "carol", 7));
      await store.addApproval(approval("churn", "3", "alias:champion", "dan", 7));
      await store.addApproval(approval("other", "1", "alias:champion", "ada", 8));
      const { approval: toRevoke } = await store.addApproval(approval("churn", "3", "alias:champion", "eve", 9));
      await store.revokeApproval(toRevoke.id, { name: "eve", verified: false }, 10);

      const label = (found: StoredApproval): string => `${found.version}/${found.target}/${found.actor.name}`;
      const standing = await store.searchApprovals({ name: "churn", includeRevoked: false, maxResults: 100 });
      // Equal times come newest id first (the later insert first).
      expect(standing.items.map(label)).toEqual([
        "3/alias:champion/dan",
        "2/alias:champion/carol",
        "2/alias:champion/bob",
        "1/stage:Production/ada",
        "1/alias:champion/ada",
      ]);
      expect(standing.nextPageToken).toBeUndefined();

      const pages: string[][] = [];
      let token: string | undefined;
      do {
        const page = await store.searchApprovals({ name: "churn", includeRevoked: true, maxResults: 2, ...(token === undefined ? {} : { pageToken: token }) });
        pages.push(page.items.map(label));
        token = page.nextPageToken;
      } while (token !== undefined);
      expect(pages).toEqual([
        ["3/alias:champion/eve", "3/alias:champion/dan"],
        ["2/alias:champion/carol", "2/alias:champion/bob"],
        ["1/stage:Production/ada", "1/alias:champion/ada"],
      ]);

      expect((await store.searchApprovals({ name: "churn", version: "2", includeRevoked: true, maxResults: 10 })).items.map(label)).toEqual([
        "2/alias:champion/carol",
        "2/alias:champion/bob",
      ]);
      expect((await store.searchApprovals({ name: "churn", target: "stage:Production", includeRevoked: true, maxResults: 10 })).items.map(label)).toEqual([
        "1/stage:Production/ada",
      ]);
      expect((await store.searchApprovals({ name: "churn", version: "3", target: "alias:champion", includeRevoked: true, maxResults: 10 })).items.map(label)).toEqual([
        "3/alias:champion/eve",
        "3/alias:champion/dan",
      ]);
      expect((await store.searchApprovals({ name: "nobody", includeRevoked: true, maxResults: 10 })).items).toEqual([]);
      await expect(store.searchApprovals({ name: "churn", includeRevoked: true, maxResults: 10, pageToken: "not-a-token" })).rejects.toThrow(
        "Invalid page_token 'not-a-token': not a token returned by governance/approvals.",
      );
    });

    it("stores one card per version", async () => {
      await store.putCard(card("churn", "1", "first"));
      await store.putCard(card("churn", "1", "second"));
      expect(await store.getCard("churn", "1")).toEqual(card("churn", "1", "second"));
      expect(await store.getCard("churn", "2")).toBeUndefined();
    });

    it("follows renames and deletes of models and versions, revoked approvals included", async () => {
      await store.putRule(rule("churn", "alias:champion"));
      const { approval: revoked } = await store.addApproval(approval("churn", "1", "alias:champion", "ada", 4));
      await store.revokeApproval(revoked.id, ada, 5);
      await store.addApproval(approval("churn", "1", "alias:champion", "ada", 5));
      await store.addApproval(approval("churn", "2", "alias:champion", "ada", 6));
      await store.putCard(card("churn", "1", "one"));
      await store.putCard(card("churn", "2", "two"));
      // Leftover rows under the new name (a model deleted without deleteModel) do not block the rename.
      await store.putCard(card("attrition", "1", "stale"));
      await store.addApproval(approval("attrition", "1", "alias:champion", "ada", 1));

      await store.renameModel("churn", "attrition");
      expect(await store.listRules("churn")).toEqual([]);
      expect((await store.listRules("attrition")).map((found) => found.name)).toEqual(["attrition"]);
      expect((await store.getCard("attrition", "1"))?.description).toBe("one");
      expect((await store.listApprovals("attrition", "2")).map((found) => found.name)).toEqual(["attrition"]);
      expect((await store.listApprovals("attrition", "1")).map((found) => found.time)).toEqual([5]);
      expect((await store.searchApprovals({ name: "attrition", version: "1", includeRevoked: true, maxResults: 10 })).items.map((found) => found.time)).toEqual([5, 4]);
      expect((await store.searchApprovals({ name: "churn", includeRevoked: true, maxResults: 10 })).items).toEqual([]);

      await store.deleteVersion("attrition", "1");
      expect(await store.getCard("attrition", "1")).toBeUndefined();
      expect((await store.searchApprovals({ name: "attrition", version: "1", includeRevoked: true, maxResults: 10 })).items).toEqual([]);
      expect((await store.getCard("attrition", "2"))?.description).toBe("two");
      expect(await store.listRules("attrition")).toHaveLength(1);

      await store.deleteModel("attrition");
      expect(await store.listRules("attrition")).toEqual([]);
      expect(await store.getCard("attrition", "2")).toBeUndefined();
      expect((await store.searchApprovals({ name: "attrition", includeRevoked: true, maxResults: 10 })).items).toEqual([]);
    });
  });
}
