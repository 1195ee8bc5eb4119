import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../../src/server/test-support/temp-server.js";
import { launchBrowser, screenshotPath, type TestBrowser } from "./support/browser.js";

/**
 * The global Audit and Webhooks pages in Chromium against a real server: the trail newest first with its filters,
 * and a webhook with the delivery an alias move made (to a receiver that is not there: it stays pending or failed).
 */

const call = async <T>(server: TempServer, path: string, body: unknown, user = "ada"): Promise<T> => {
  const response = await fetch(`${server.url}/api/2.0/${path}`, { method: "POST", headers: { "content-type": "application/json", "x-cairn-user": user }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

describe("audit and webhooks pages in Chromium", () => {
  let server: TempServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    server = await startTempServer("cairn-e2e-audit-");
    await call(server, "cairn/webhooks/create", { name: "ci-hook", url: "http://127.0.0.1:9/hook", events: ["alias.set"] });
    await call(server, "mlflow/registered-models/create", { name: "churn" }, "ben");
    const { experiment_id: experimentId } = await call<{ experiment_id: string }>(server, "mlflow/experiments/create", { name: "churn-exp" });
    const { run } = await call<{ run: { info: { run_id: string; artifact_uri: string } } }>(server, "mlflow/runs/create", { experiment_id: experimentId });
    await call(server, "mlflow/model-versions/create", { name: "churn", source: `${run.info.artifact_uri}/model`, run_id: run.info.run_id }, "ben");
    await call(server, "mlflow/registered-models/alias", { name: "churn", alias: "staging", version: "1" }, "ada");
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the trail newest first, filtered by action and actor, each entity linked", async () => {
    const { page, pageErrors, context } = await browser.newPage(server.url);
    await page.goto("/experiments");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
    const table = page.getByRole("table", { name: "Audit events" });
    await table.waitFor();
    const actions = (): Promise<string[]> => table.locator("tbody tr td:nth-child(4)").allTextContents();
    const all = await actions();
    expect(all[0]).toBe("registry.alias.set");
    expect(all).toContain("webhooks.webhook.create");
    // Newest first: sequence numbers fall down the table.
    const seqs = (await table.locator("tbody tr td:first-child").allTextContents()).map(Number);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    const shot = screenshotPath("audit");
    if (shot) await page.screenshot({ path: shot, fullPage: false });

    await page.getByRole("searchbox", { name: "Actor" }).fill("ben");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(actions).toEqual(["registry.model_version.create", "registry.registered_model.create"]);
    expect(new URL(page.url()).searchParams.get("actor")).toBe("ben");
    await table.getByRole("link", { name: "churn/1" }).click();
    await page.getByRole("heading", { level: 1, name: "churn version 1" }).waitFor();
    expect(pageErrors.filter((error) => !error.startsWith("Failed to load resource"))).toEqual([]);
    await context.close();
  });

  it("lists the webhook and the delivery the alias move made", async () => {
    const { page, pageErrors, context } = await browser.newPage(server.url);
    await page.goto("/webhooks");
    const hooks = page.getByRole("table", { name: "Webhooks" });
    await hooks.getByRole("link", { name: "ci-hook" }).click();
    await page.getByRole("heading", { name: "Deliveries of ci-hook" }).waitFor();
    const deliveries = page.getByRole("table", { name: "Deliveries" });
    await deliveries.waitFor();
    expect(await deliveries.locator("tbody tr td:nth-child(3)").allTextContents()).toEqual(["alias.set"]);
    expect(["pending", "failed"]).toContain(await deliveries.locator("tbody tr td:nth-child(4)").textContent());
    const shot = screenshotPath("webhooks");
    if (shot) await page.screenshot({ path: shot, fullPage: false });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
