import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../src/core/events.js";
import type { ResolvedAddress, TargetLookup, TargetPolicyOptions } from "../src/webhooks/target-policy.js";
import { FAST_OPTIONS, openWebhookNode, tempDbFile, useWebhookFixtures, type WebhookNode } from "../src/webhooks/test-support/webhook-kit.js";

/**
 * Webhook targets cannot be turned into SSRF or a port scanner: internal addresses are refused when a webhook is
 * created or changed (both APIs) and again on every delivery, after DNS resolution, with a message that says nothing
 * about the target; the socket connects to the address that was checked.
 */

const PUBLIC_V4 = "93.184.215.14";

const aliasSet: DomainEvent = {
  type: "alias.set",
  time: 1_700_000_000_123,
  actor: { name: "ada", verified: false },
  requestId: "req-1",
  payload: { name: "churn", alias: "champion", version: "4", previous_version: "3" },
};

/** A DNS stand-in whose answers a test can change between the check at create time and the delivery. */
const dnsTable = (initial: Record<string, string>): { lookup: TargetLookup; set: (name: string, address: string) => void } => {
  const table = new Map(Object.entries(initial));
  return {
    lookup: async (hostname) => {
      const address = table.get(hostname);
      if (address === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
      return [{ address, family: address.includes(":") ? 6 : 4 } satisfies ResolvedAddress];
    },
    set: (name, address) => table.set(name, address),
  };
};

const until = async (done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const REFUSED_URLS = [
  "http://2130706433:8080/",
  "http://0:8080/",
  "http://[::1]:8080/",
  "http://127.0.0.1:8080/",
  "http://localhost:8080/",
  "http://10.0.0.1/",
  "http://192.168.1.1/",
  "http://100.64.0.1/",
  "http://169.254.10.10/",
  "http://[fe80::1]/",
  "http://[::ffff:127.0.0.1]/",
  "http://169.254.169.254/latest/meta-data/",
  "http://[fd00:ec2::254]/",
  "http://metadata.google.internal/computeMetadata/v1/",
  "https://127.0.0.1:8443/",
  "https://[::1]/",
  "https://169.254.169.254/",
];

const ADDRESS_REFUSED = /^Webhook 'url' names a target address that is not allowed/;

describe("webhook targets (SSRF)", () => {
  const fixtures = useWebhookFixtures();
  const temp = () => {
    const { file, remove } = tempDbFile();
    fixtures.onCleanup(remove);
    return file;
  };
  const node = async (file: string, targets: TargetPolicyOptions): Promise<WebhookNode> => {
    const n = await openWebhookNode(file, { ...FAST_OPTIONS, targets });
    fixtures.onCleanup(() => n.close());
    return n;
  };
  const deliveries = async (n: WebhookNode) => (await n.call("GET", "webhooks/deliveries", {})).body.deliveries as Array<Record<string, unknown>>;

  it("refuses every internal address form at create and update through Cairn's API, naming 'url', storing nothing", async () => {
    const n = await node(temp(), {});
    for (const url of REFUSED_URLS) {
      const created = await n.call("POST", "webhooks/create", { name: "x", url, events: ["*"] });
      expect(created.status, url).toBe(400);
      expect(created.body.error_code, url).toBe("INVALID_PARAMETER_VALUE");
      // http to an internal address is refused for its address first when the host resolves; either way it names 'url'.
      expect(created.body.message, url).toMatch(/^Webhook 'url' /);
    }
    expect((await n.call("POST", "webhooks/create", { name: "x", url: "https://[::1]/", events: ["*"] })).body.message).toMatch(ADDRESS_REFUSED);
    expect((await n.call("GET", "webhooks/list")).body.webhooks).toEqual([]);
    expect(n.audit.entries).toEqual([]);

    // An unresolvable https name is accepted (checked again on delivery); moving it onto loopback is not.
    const ok = await n.call("POST", "webhooks/create", { name: "later", url: "https://hooks.invalid/x", events: ["*"] });
    expect(ok.status).toBe(200);
    const moved = await n.call("POST", "webhooks/update", { id: ok.body.webhook.id, url: "https://2130706433/x" });
    expect(moved.status).toBe(400);
    expect(moved.body.message).toMatch(ADDRESS_REFUSED);
    expect((await n.call("GET", "webhooks/get", { id: ok.body.webhook.id })).body.webhook.url).toBe("https://hooks.invalid/x");
  });

  it("refuses them through MLflow's API too (create and PATCH)", async () => {
    const n = await node(temp(), {});
    const events = [{ entity: "MODEL_VERSION", action: "CREATED" }];
    for (const url of REFUSED_URLS) {
      const created = await n.callMlflow("POST", "webhooks", { name: "x", url, events });
      expect(created.status, url).toBe(400);
      expect(created.body.message, url).toMatch(/^Webhook 'url' /);
    }
    const ok = await n.callMlflow("POST", "webhooks", { name: "later", url: "https://hooks.invalid/x", events });
    expect(ok.status).toBe(200);
    const patched = await n.callMlflow("PATCH", `webhooks/${ok.body.webhook.webhook_id}`, { url: "http://0:22/" });
    expect(patched.status).toBe(400);
    expect(patched.body.message).toMatch(ADDRESS_REFUSED);
  });

  it("requires https unless the target is allowlisted or http is allowed", async () => {
    const dns = dnsTable({ "hooks.example.com": PUBLIC_V4 });
    const strict = await node(temp(), { lookup: dns.lookup });
    const http = await strict.call("POST", "webhooks/create", { name: "x", url: "http://hooks.example.com/x", events: ["*"] });
    expect(http.status).toBe(400);
    expect(http.body.message).toMatch(/^Webhook 'url' must use https; http is accepted only for targets the server's operator allowlisted/);
    expect((await strict.call("POST", "webhooks/create", { name: "x", url: "https://hooks.example.com/x", events: ["*"] })).status).toBe(200);
    const relaxed = await node(temp(), { lookup: dns.lookup, allowHttp: true });
    expect((await relaxed.call("POST", "webhooks/create", { name: "x", url: "http://hooks.example.com/x", events: ["*"] })).status).toBe(200);
  });

  it("fails a delivery to a name that resolves to loopback at send time, without contacting it or saying why", async () => {
    const r = await fixtures.receiver();
    // Checked at create: public. At delivery: loopback (DNS rebinding, or a record changed after the check).
    const dns = dnsTable({ "rebind.example.com": PUBLIC_V4 });
    const n = await node(temp(), { lookup: dns.lookup, allowHttp: true });
    const created = await n.call("POST", "webhooks/create", { name: "x", url: `http://rebind.example.com:${r.port}/hook`, events: ["*"] });
    expect(created.status).toBe(200);
    dns.set("rebind.example.com", "127.0.0.1");
    n.service.start();
    await n.service.publish(aliasSet);
    await until(async () => (await deliveries(n))[0]?.status === "failed");
    const [logged] = await deliveries(n);
    // Failed at once (no retries), no status code, the same words whatever the address or port.
    expect(logged).toMatchObject({ status: "failed", attempts: 1, last_error: "target address not allowed" });
    expect(logged).not.toHaveProperty("last_status_code");
    expect(r.requests).toEqual([]);
  });

  it("fails deliveries to loopback already stored when the operator's allowlist no longer covers it", async () => {
    const r = await fixtures.receiver();
    const closed = await fixtures.receiver();
    const closedUrl = closed.url;
    await closed.close();
    const file = temp();
    // Created while the operator allowed loopback...
    const before = await node(file, { allow: ["127.0.0.0/8", "::1"] });
    for (const url of [`http://localhost:${r.port}/a`, `http://2130706433:${r.port}/b`, closedUrl]) {
      expect((await before.call("POST", "webhooks/create", { name: "x", url, events: ["*"] })).status).toBe(200);
    }
    await before.close();
    // ...then served with the production default: the open port and the closed one look the same.
    const after = await node(file, {});
    after.service.start();
    await after.service.publish(aliasSet);
    await until(async () => (await deliveries(after)).filter((d) => d.status === "failed").length === 3);
    for (const logged of await deliveries(after)) {
      expect(logged).toMatchObject({ status: "failed", attempts: 1, last_error: "target address not allowed" });
      expect(logged).not.toHaveProperty("last_status_code");
    }
    expect(r.requests).toEqual([]);
  });

  it("connects to the checked address, keeping the URL's host name in the Host header", async () => {
    const r = await fixtures.receiver();
    // No real DNS knows this name: the request can only arrive through the address the policy checked.
    const dns = dnsTable({ "receiver.corp.test": "127.0.0.1" });
    const n = await node(temp(), { lookup: dns.lookup, allow: ["127.0.0.0/8"] });
    const created = await n.call("POST", "webhooks/create", { name: "x", url: `http://receiver.corp.test:${r.port}/hook`, events: ["*"] });
    expect(created.status).toBe(200);
    n.service.start();
    await n.service.publish(aliasSet);
    await until(() => r.requests.length === 1);
    expect(r.requests[0]?.headers.host).toBe(`receiver.corp.test:${r.port}`);
    await until(async () => (await deliveries(n))[0]?.status === "delivered");
  });

  it("over https, connects to the checked address and verifies the certificate against the URL's host name", async () => {
    // A self-signed certificate for receiver.corp.test: the handshake reaches the receiver (which records the server
    // name the client asked for) and then fails verification, as an untrusted certificate must.
    const tls = new URL("../src/webhooks/test-support/tls/", import.meta.url);
    const serverNames: string[] = [];
    const receiver = createHttpsServer(
      {
        key: readFileSync(new URL("key.pem", tls)),
        cert: readFileSync(new URL("cert.pem", tls)),
        // Called with the ClientHello's server name; no context of its own: the default one answers.
        SNICallback: (serverName, done) => {
          serverNames.push(serverName);
          done(null);
        },
      },
      (_request, response) => response.writeHead(204).end(),
    );
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    fixtures.onCleanup(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const port = (receiver.address() as AddressInfo).port;
    const dns = dnsTable({ "receiver.corp.test": "127.0.0.1" });
    const n = await node(temp(), { lookup: dns.lookup, allow: ["127.0.0.1"] });
    expect((await n.call("POST", "webhooks/create", { name: "x", url: `https://receiver.corp.test:${port}/hook`, events: ["*"] })).status).toBe(200);
    n.service.start();
    await n.service.publish(aliasSet);
    await until(async () => typeof (await deliveries(n))[0]?.last_error === "string");
    expect((await deliveries(n))[0]?.last_error).toMatch(/^DEPTH_ZERO_SELF_SIGNED_CERT: /);
    expect(serverNames[0]).toBe("receiver.corp.test");
  });

  it("delivers to an allowlisted loopback receiver over http", async () => {
    const r = await fixtures.receiver();
    const n = await node(temp(), { allow: ["127.0.0.1"] });
    expect((await n.call("POST", "webhooks/create", { name: "x", url: r.url, events: ["*"] })).status).toBe(200);
    n.service.start();
    await n.service.publish(aliasSet);
    await until(async () => (await deliveries(n))[0]?.status === "delivered");
    expect(r.requests).toHaveLength(1);
    // The allowlist is exact: another loopback address is still refused.
    expect((await n.call("POST", "webhooks/create", { name: "y", url: `http://127.0.0.2:${r.port}/`, events: ["*"] })).body.message).toMatch(ADDRESS_REFUSED);
  });

  it("MLflow's test call to a refused target reports only 'target address not allowed'", async () => {
    const r = await fixtures.receiver();
    const dns = dnsTable({ "rebind.example.com": PUBLIC_V4 });
    const n = await node(temp(), { lookup: dns.lookup, allowHttp: true });
    const created = await n.callMlflow("POST", "webhooks", {
      name: "x",
      url: `http://rebind.example.com:${r.port}/`,
      events: [{ entity: "MODEL_VERSION", action: "CREATED" }],
    });
    expect(created.status).toBe(200);
    dns.set("rebind.example.com", "::1");
    const tested = await n.callMlflow("POST", `webhooks/${created.body.webhook.webhook_id}/test`, {});
    expect(tested.status).toBe(200);
    expect(tested.body).toEqual({ result: { success: false, error_message: "Failed to test webhook: target address not allowed" } });
    expect(r.requests).toEqual([]);
    expect(n.audit.entries.at(-1)).toMatchObject({ action: "webhooks.webhook.test", after: { success: false, status: null, error: "target address not allowed" } });
  });
});
