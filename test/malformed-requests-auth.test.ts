import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLICY_TABLE } from "../src/auth/permissions/policy-table.js";
import { ADMIN, basic } from "../src/auth/test-support/auth-server.js";
import type { RunningServer } from "../src/server/start.js";
import { startServerIn } from "../src/server/test-support/temp-server.js";

/**
 * The malformed-request corpus (test/malformed-requests.test.ts's raw bodies and field cases, over every route of the
 * policy table) with `--auth` on (issue 12 part 2, 5):
 *  - without credentials every route answers 401 in MLflow's shape (the Open Inference Protocol's in its own), its
 *    body never read, and nothing is stored;
 *  - with an administrator's credentials every route answers exactly what the same server with auth off answers
 *    (status and error body), the auth-off run of malformed-requests.test.ts being the reference of "today";
 *  - as a user without any permission no request is a 5xx.
 * The two servers start empty and get the same requests in the same order, so their states stay equal.
 */
const rawBodies = (): Array<[string, string]> => {
  const deepArray = "[".repeat(100_000) + "]".repeat(100_000);
  return [
    ["invalid JSON", "{"],
    ["trailing garbage", '{"a": 1} x'],
    ["JSON array", "[]"],
    ["JSON number", "42"],
    ["string holding invalid JSON", JSON.stringify("{not json")],
    ["100k nested arrays", deepArray],
    ["100k nested arrays in a field", `{"run_id": ${deepArray}, "experiment_id": ${deepArray}, "name": ${deepArray}}`],
    ["body over 2 MB", JSON.stringify({ run_id: "x", name: "n", value: "v".repeat(2_200_000) })],
    ["lone surrogate escapes", '{"name": "\\ud800", "key": "\\udfff", "run_id": "\\ud800", "experiment_id": "\\ud800", "run_name": "\\udfff"}'],
  ];
};

const fieldCases = (): Array<[string, Record<string, unknown>]> => [
  ["ids as numbers", { run_id: 123, experiment_id: 0, name: 5, model_id: 7, trace_id: 1, version: {} }],
  ["ids as objects", { run_id: { $ne: null }, experiment_id: { $gt: "" }, name: { $ne: 1 }, deployment: [] }],
  ["ids with traversal", { run_id: "../../etc/passwd", experiment_id: "../0", name: "../../x", path: "../../etc/passwd", model_id: "m-../x" }],
  ["ids with SQL", { run_id: "x' OR '1'='1", experiment_id: "0 OR 1=1", name: "a' OR 1=1 --", trace_id: "tr-' OR 1=1" }],
  ["malformed model and trace ids", { model_id: `m-${"z".repeat(32)}`, trace_id: `tr-${"g".repeat(32)}`, request_id: "tr-123" }],
  ["keys too long", { key: "k".repeat(251), name: "n".repeat(501), username: "u".repeat(300), target: "alias:" + "a".repeat(300) }],
  ["timestamps out of range", { timestamp: "9223372036854775808", start_time: 1e300, max_results: -1, version: "1e300" }],
  ["lists of the wrong type", { tags: "x", metrics: "x", params: {}, experiment_ids: "0", labels: {}, run_ids: 5 }],
  ["permission names", { permission: "ADMIN", username: "", experiment_id: "1" }],
];

const PARAMS: Record<string, string> = {
  model_id: "m-bad",
  trace_id: "tr-bad",
  request_id: "tr-bad",
  assessment_id: "a-bad",
  webhook_id: "bad-id",
  tag_key: "k",
  name: "no-such-deployment",
  version: "1",
};

/** Identity's routes depend on whether auth is on (they are not "the same answer as today"); public ones need none. */
const IDENTITY = /\/(users|tokens|auth)\//;

interface Probe {
  label: string;
  method: string;
  url: string;
  payload?: string;
  contentType?: string;
}

const probes = (): Probe[] => {
  const all: Probe[] = [];
  for (const key of Object.keys(POLICY_TABLE)) {
    const [method = "", route = ""] = key.split(" ");
    if (IDENTITY.test(route)) continue;
    const url = route.replace(/:([a-z_]+)/g, (_m, name: string) => PARAMS[name] ?? "x").replace("*", "..%2F..%2Fetc/passwd");
    if (method === "GET") {
      for (const [label, fields] of fieldCases()) {
        const query = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, typeof v === "string" ? v : JSON.stringify(v)]));
        all.push({ label: `${key} ${label}`, method, url: `${url}?${query.toString()}` });
      }
      continue;
    }
    for (const [label, payload] of rawBodies()) all.push({ label: `${key} ${label}`, method, url, payload, contentType: "application/json" });
    for (const [label, fields] of fieldCases()) all.push({ label: `${key} ${label}`, method, url, payload: JSON.stringify(fields), contentType: "application/json" });
  }
  return all;
};

let dir: string;
let open: RunningServer;
let guarded: RunningServer;
const admin = { authorization: basic(ADMIN.username, ADMIN.password) };
const nobody = { authorization: basic("nobody", "nobody-password-0001") };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-malformed-auth-"));
  open = await startServerIn(path.join(dir, "open"), { webUiDir: null });
  guarded = await startServerIn(path.join(dir, "guarded"), { webUiDir: null, auth: true, adminBootstrap: ADMIN, defaultPermission: "NO_PERMISSIONS" });
  const created = await guarded.app.inject({
    method: "POST",
    url: "/api/2.0/mlflow/users/create",
    headers: { ...admin, "content-type": "application/json" },
    payload: JSON.stringify({ username: "nobody", password: "nobody-password-0001" }),
  });
  expect(created.statusCode).toBe(200);
}, 60_000);
afterAll(async () => {
  await open?.close();
  await guarded?.close();
  await rm(dir, { recursive: true, force: true });
});

const send = (app: FastifyInstance, probe: Probe, headers: Record<string, string> = {}) =>
  app.inject({
    method: probe.method as "GET",
    url: probe.url,
    headers: { ...headers, ...(probe.contentType ? { "content-type": probe.contentType } : {}) },
    ...(probe.payload !== undefined ? { payload: probe.payload } : {}),
  });

const auditCount = async (): Promise<number> => {
  const answer = await guarded.app.inject({ method: "GET", url: "/api/2.0/cairn/audit/events?max_results=1000", headers: admin });
  return (JSON.parse(answer.body) as { events?: unknown[] }).events?.length ?? 0;
};

describe("the malformed-request corpus with --auth", () => {
  it("answers 401 to every route without credentials, in MLflow's shape, storing nothing", async () => {
    const before = await auditCount();
    const wrong: string[] = [];
    for (const probe of probes()) {
      const answer = await send(guarded.app, probe);
      const body = answer.body.startsWith("{") ? (JSON.parse(answer.body) as Record<string, unknown>) : {};
      // The Open Inference Protocol answers errors in its own shape ({"error": ...}).
      const shaped = probe.url.startsWith("/v2") ? typeof body.error === "string" : body.error_code === "UNAUTHENTICATED";
      if (answer.statusCode !== 401 || !shaped) wrong.push(`${probe.label}: ${answer.statusCode} ${answer.body.slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
    expect(await auditCount()).toBe(before);
  }, 300_000);

  it("answers an administrator exactly as the server answers with auth off", async () => {
    const differences: string[] = [];
    for (const probe of probes()) {
      const today = await send(open.app, probe);
      const withAuth = await send(guarded.app, probe, admin);
      const same = today.statusCode === withAuth.statusCode && (today.statusCode < 400 || today.body === withAuth.body);
      if (!same) differences.push(`${probe.label}: auth off ${today.statusCode} ${today.body.slice(0, 100)} / on ${withAuth.statusCode} ${withAuth.body.slice(0, 100)}`);
      if (withAuth.statusCode >= 500) differences.push(`${probe.label}: ${withAuth.statusCode}`);
    }
    expect(differences).toEqual([]);
  }, 300_000);

  it("never answers a user without permissions with a 5xx", async () => {
    const failures: string[] = [];
    for (const probe of probes()) {
      const answer = await send(guarded.app, probe, nobody);
      if (answer.statusCode >= 500) failures.push(`${probe.label}: ${answer.statusCode} ${answer.body.slice(0, 120)}`);
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
