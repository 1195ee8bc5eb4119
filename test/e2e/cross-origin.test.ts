import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../../src/server/test-support/temp-server.js";
import { launchBrowser, type TestBrowser } from "./support/browser.js";

/**
 * Issue 12's browser finding, replayed in Chromium: a page on another local origin (another port of 127.0.0.1) tried
 * to create and delete experiments through requests that need no CORS preflight (a text/plain fetch, a form post,
 * a no-cors DELETE) and through a JSON fetch; and a name rebound to 127.0.0.1 tried to use the UI as its own origin.
 * Nothing may change.
 */

const json = { "content-type": "application/json" };

const call = async <T>(server: TempServer, path: string, body: unknown): Promise<T> => {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, { method: "POST", headers: json, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

const experiments = async (server: TempServer): Promise<{ name: string; lifecycle_stage: string }[]> => {
  const response = await fetch(`${server.url}/api/2.0/mlflow/experiments/search?max_results=1000&view_type=ALL`);
  const body = (await response.json()) as { experiments: { name: string; lifecycle_stage: string }[] };
  return body.experiments.map(({ name, lifecycle_stage }) => ({ name, lifecycle_stage })).sort((a, b) => a.name.localeCompare(b.name));
};

/** The attacker's pages: each runs its attack on load and reports in the title when it has finished. */
const attackerPages = (target: string, victimId: string): Record<string, string> => {
  const create = `${target}/api/2.0/mlflow/experiments/create`;
  const remove = `${target}/api/2.0/mlflow/experiments/delete`;
  const script = `
    const settle = (p) => p.then(() => "sent", (e) => "blocked: " + e.message);
    (async () => {
      const results = await Promise.all([
        settle(fetch(${JSON.stringify(create)}, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: JSON.stringify({ name: "by-text-plain" }) })),
        settle(fetch(${JSON.stringify(create)}, { method: "POST", mode: "no-cors", body: new Blob([JSON.stringify({ name: "by-untyped-blob" })]) })),
        settle(fetch(${JSON.stringify(create)}, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "by-json-fetch" }) })),
        settle(fetch(${JSON.stringify(remove)}, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: JSON.stringify({ experiment_id: ${JSON.stringify(victimId)} }) })),
      ]);
      document.title = "done " + results.join(" | ");
    })();`;
  // A text/plain form whose one field spells a JSON object: the classic CSRF body for a JSON API.
  const form = `<form id="f" method="POST" action="${create}" enctype="text/plain">
      <input name='{"name":"by-form","x":"' value='"}'></form><script>document.getElementById("f").submit();</script>`;
  return {
    "/fetch.html": `<!doctype html><title>attacker</title><script>${script}</script>`,
    "/form.html": `<!doctype html><title>attacker form</title>${form}`,
  };
};

describe("a page on another origin in Chromium", () => {
  let server: TempServer;
  let attacker: Server;
  let attackerUrl: string;
  let browser: TestBrowser;
  let victimId: string;

  beforeAll(async () => {
    server = await startTempServer("cairn-e2e-origin-");
    ({ experiment_id: victimId } = await call<{ experiment_id: string }>(server, "experiments/create", { name: "victim" }));
    const pages = attackerPages(server.url, victimId);
    attacker = createServer((request, response) => {
      const page = pages[request.url ?? ""];
      response.writeHead(page === undefined ? 404 : 200, { "content-type": "text/html" }).end(page ?? "");
    });
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    // rebind.test stands for an attacker's DNS name that now resolves to this machine.
    browser = await launchBrowser([`--host-resolver-rules=MAP rebind.test 127.0.0.1`]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
  });

  it("cannot create or delete experiments by fetch or form post", async () => {
    const { page, context } = await browser.newPage(attackerUrl);
    const answers: number[] = [];
    page.on("response", (response) => {
      if (response.url().startsWith(server.url)) answers.push(response.status());
    });
    await page.goto("/fetch.html");
    await page.waitForFunction('document.title.startsWith("done")');
    // The JSON fetch needs a preflight, which gets no CORS answer: the browser never sends it.
    expect(await page.title()).toMatch(/^done sent \| sent \| blocked: Failed to fetch \| sent$/);

    const formAnswer = page.waitForResponse((response) => response.url().startsWith(server.url));
    await page.goto("/form.html");
    const formResponse = await formAnswer;
    expect(formResponse.status()).toBe(403);
    expect(await formResponse.json()).toEqual({
      error_code: "PERMISSION_DENIED",
      message: `Cross-origin POST refused: origin '${attackerUrl}' is not this server's; list it in --allowed-origins to accept it`,
    });
    expect(answers.every((status) => status === 403)).toBe(true);
    await context.close();

    expect(await experiments(server)).toEqual([
      { name: "Default", lifecycle_stage: "active" },
      { name: "victim", lifecycle_stage: "active" },
    ]);
  });

  it("cannot reach the server under a rebound DNS name", async () => {
    const port = new URL(server.url).port;
    const { page, context } = await browser.newPage(`http://rebind.test:${port}`);
    const response = await page.goto("/experiments");
    expect(response?.status()).toBe(403);
    const created = await page.evaluate(async () => {
      const answer = await fetch("/api/2.0/mlflow/experiments/create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "by-rebinding" }) });
      return answer.status;
    });
    expect(created).toBe(403);
    await context.close();
    expect((await experiments(server)).map((experiment) => experiment.name)).toEqual(["Default", "victim"]);
  });

  it("still lets the UI on its own origin create an experiment", async () => {
    const { page, context } = await browser.newPage(server.url);
    await page.goto("/experiments");
    const status = await page.evaluate(async () => {
      const answer = await fetch("/ajax-api/2.0/mlflow/experiments/create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "from-the-ui" }) });
      return answer.status;
    });
    expect(status).toBe(200);
    await context.close();
    expect((await experiments(server)).map((experiment) => experiment.name)).toEqual(["Default", "from-the-ui", "victim"]);
  });
});
