import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../../src/sdk/client.js";
import { registerLogisticVersions } from "../../src/serving/test-support/registered-models.js";
import { ADMIN, asAdmin, basic, startSignInServer, type AuthServer } from "./support/auth-server.js";
import { launchBrowser, type TestBrowser } from "./support/browser.js";

/**
 * Issue 12's cross-site finding with sign-in on: the admin is signed in to Cairn in Chromium, and a page on another
 * origin, opened in the same browser, tries to create an experiment, delete a deployment, move an alias and create a
 * `*` webhook to its own URL, by every request a page may send without CORS (text/plain and untyped no-cors fetches, a
 * text/plain form) and by a JSON fetch with credentials. Two attackers:
 * - another port of 127.0.0.1: the same *site*, so the browser does send the SameSite=Strict session cookie, and the
 *   Origin check is what refuses each request (403);
 * - a name of another site (attacker.test, mapped to 127.0.0.1): the cookie stays home, so the requests arrive without
 *   credentials and are refused too.
 * Nothing may change, and the UI on its own origin still can.
 */
const DEPLOYMENT = "churn-live";
// A receiver address the test server accepts (loopback is allowlisted in tests), so that only the CSRF defences stand in the way.
const ATTACKER_HOOK = "http://127.0.0.1:9/collect";

interface Attack {
  label: string;
  path: string;
  body: unknown;
}

const attacks = (): Attack[] => [
  { label: "create experiment", path: "/ajax-api/2.0/mlflow/experiments/create", body: { name: "by-attacker" } },
  { label: "delete deployment", path: "/ajax-api/2.0/cairn/deployments/delete", body: { name: DEPLOYMENT } },
  { label: "move alias", path: "/ajax-api/2.0/mlflow/registered-models/alias", body: { name: "churn", alias: "champion", version: "2" } },
  { label: "create webhook", path: "/ajax-api/2.0/cairn/webhooks/create", body: { name: "exfil", url: ATTACKER_HOOK, events: ["*"] } },
];

/** The attacker's pages: each fires its requests on load and writes the outcome of each in the title. */
const attackerPages = (target: string): Record<string, string> => {
  const list = attacks().map((attack) => ({ url: `${target}${attack.path}`, body: JSON.stringify(attack.body) }));
  const script = `
    const settle = (p) => p.then((r) => r.type === "opaque" ? "sent" : "answered " + r.status, (e) => "blocked");
    (async () => {
      const results = [];
      for (const { url, body } of ${JSON.stringify(list)}) {
        results.push(await settle(fetch(url, { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body })));
        results.push(await settle(fetch(url, { method: "POST", mode: "no-cors", credentials: "include", body: new Blob([body]) })));
        results.push(await settle(fetch(url, { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body })));
      }
      document.title = "done " + results.join(",");
    })();`;
  const first = list[0] as { url: string };
  const form = `<form id="f" method="POST" action="${first.url}" enctype="text/plain">
      <input name='{"name":"by-form","x":"' value='"}'></form><script>document.getElementById("f").submit();</script>`;
  return {
    "/fetch.html": `<!doctype html><title>attacker</title><script>${script}</script>`,
    "/form.html": `<!doctype html><title>attacker form</title>${form}`,
  };
};

let server: AuthServer;
let attacker: Server;
let attackerPort: number;
let browser: TestBrowser;
let scratch: string;
/** The state-changing requests the server received from browsers (seen on its socket, before any hook answers). */
const arrived: { path: string; origin: string | undefined; session: boolean }[] = [];

/** What the attacks would change, read as the admin. */
const state = async () => {
  const experiments = await asAdmin<{ experiments: { name: string }[] }>(server, "GET", "/api/2.0/mlflow/experiments/search?max_results=100&view_type=ALL");
  const deployments = await asAdmin<{ deployments?: { name: string }[] }>(server, "GET", "/api/2.0/cairn/deployments/list");
  const model = await asAdmin<{ registered_model: { aliases?: { alias: string; version: string }[] } }>(server, "GET", "/api/2.0/mlflow/registered-models/get?name=churn");
  const webhooks = await asAdmin<{ webhooks?: { name: string }[] }>(server, "GET", "/api/2.0/cairn/webhooks/list");
  return {
    experiments: experiments.experiments.map((experiment) => experiment.name).sort(),
    deployments: (deployments.deployments ?? []).map((deployment) => deployment.name),
    aliases: model.registered_model.aliases ?? [],
    webhooks: (webhooks.webhooks ?? []).map((webhook) => webhook.name),
  };
};

beforeAll(async () => {
  server = await startSignInServer();
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-e2e-csrf-"));
  const client = new CairnClient({ trackingUri: server.url, headers: { authorization: basic(ADMIN.username, ADMIN.password) } });
  await registerLogisticVersions(client, scratch, "churn", [11, 12]);
  await client.serving.createDeployment({ name: DEPLOYMENT, modelUri: "models:/churn@champion" });

  server.app.server.on("request", (request: IncomingMessage) => {
    if (request.method !== "POST" || request.headers["user-agent"]?.includes("Chrome") !== true) return;
    const origin = request.headers.origin;
    arrived.push({ path: request.url ?? "", origin: typeof origin === "string" ? origin : undefined, session: (request.headers.cookie ?? "").includes("cairn_session=") });
  });
  const pages = attackerPages(server.url);
  attacker = createServer((request, response) => {
    const page = pages[request.url ?? ""];
    response.writeHead(page === undefined ? 404 : 200, { "content-type": "text/html" }).end(page ?? "");
  });
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  attackerPort = (attacker.address() as AddressInfo).port;
  browser = await launchBrowser([`--host-resolver-rules=MAP attacker.test 127.0.0.1`]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const BEFORE = {
  experiments: ["Default", "churn-models"],
  deployments: [DEPLOYMENT],
  aliases: [{ alias: "champion", version: "1" }],
  webhooks: [],
};

describe("a foreign page in the browser where the admin is signed in", () => {
  it.each([
    { who: "same site, another port (the cookie is sent; the Origin check refuses)", host: "127.0.0.1", cookieSent: true },
    { who: "another site (the SameSite=Strict cookie is not sent; the Origin check refuses)", host: "attacker.test", cookieSent: false },
  ])("cannot change anything: $who", async ({ host, cookieSent }) => {
    expect(await state()).toEqual(BEFORE);
    const { page, context } = await browser.newPage(server.url);
    await page.goto("/experiments");
    await page.getByLabel("User name").fill(ADMIN.username);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "churn-models" }).waitFor();

    const statuses: number[] = [];
    page.on("response", (response) => {
      if (response.url().startsWith(server.url)) statuses.push(response.status());
    });
    arrived.length = 0;
    await page.goto(`http://${host}:${attackerPort}/fetch.html`);
    await page.waitForFunction('document.title.startsWith("done")', undefined, { timeout: 20_000 });
    // Each no-cors request is sent (its answer is opaque to the page); each JSON one dies at the CORS preflight.
    expect(await page.title()).toBe(`done ${Array.from({ length: 4 }, () => "sent,sent,blocked").join(",")}`);

    const formAnswer = page.waitForResponse((response) => response.url().startsWith(server.url));
    await page.goto(`http://${host}:${attackerPort}/form.html`);
    expect((await formAnswer).status()).toBe(403);
    await page.waitForTimeout(200);

    expect(statuses).toEqual(Array.from({ length: 9 }, () => 403));
    // What reached the server: 8 fetches and the form, each with the attacker's Origin, with or without the session.
    expect(arrived).toEqual(
      [...attacks().flatMap((attack) => [attack.path, attack.path]), attacks()[0]?.path].map((path) => ({
        path,
        origin: `http://${host}:${attackerPort}`,
        session: cookieSent,
      })),
    );
    await context.close();
    expect(await state()).toEqual(BEFORE);
  });

  it("still lets the UI on its own origin change things with the same session", async () => {
    const { page, context } = await browser.newPage(server.url);
    await page.goto("/experiments");
    await page.getByLabel("User name").fill(ADMIN.username);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "churn-models" }).waitFor();
    const answers = await page.evaluate(async (list) => {
      const statuses: number[] = [];
      for (const attack of list) {
        const answer = await fetch(attack.path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(attack.body) });
        statuses.push(answer.status);
      }
      return statuses;
    }, attacks().reverse());
    expect(answers).toEqual([200, 200, 200, 200]);
    await context.close();
    expect(await state()).toEqual({
      experiments: ["Default", "by-attacker", "churn-models"],
      deployments: [],
      aliases: [{ alias: "champion", version: "2" }],
      webhooks: ["exfil"],
    });
  });
});
