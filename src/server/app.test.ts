import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { CairnError, ErrorCode } from "../core/errors.js";
import { buildApp } from "./app.js";

/** The app shell: health, version, error shapes for every kind of failure, JSON codec quirks. */
describe("app shell", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp({
      version: "9.8.7",
      domains: [
        {
          endpoints: [
            { methods: ["POST", "GET"], path: "echo", handle: (fields) => ({ value: fields.optionalDouble("value") ?? null }) },
            { methods: ["POST"], path: "boom", handle: () => { throw new Error("secret internals"); } },
            { methods: ["POST"], path: "refuse", handle: () => { throw new CairnError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "Run with id=x not found"); } },
            {
              methods: ["GET", "PATCH", "DELETE"],
              path: "things/:thing_id/tags/:tag_key",
              handle: (fields) => ({ thing_id: fields.requiredString("thing_id"), tag_key: fields.requiredString("tag_key"), value: fields.optionalString("value") ?? null }),
            },
            { methods: ["POST"], path: "v3-only", apiVersion: 3, handle: () => ({ v: 3 }) },
          ],
        },
      ],
    });
  });
  afterAll(async () => app.close());

  it("takes path parameters as fields when the message lacks them, from GET, PATCH and DELETE alike", async () => {
    const get = await app.inject({ method: "GET", url: "/api/2.0/mlflow/things/m-1/tags/owner" });
    expect(get.json()).toEqual({ thing_id: "m-1", tag_key: "owner", value: null });
    const patch = await app.inject({ method: "PATCH", url: "/api/2.0/mlflow/things/m-2/tags/k", payload: { value: "v" } });
    expect(patch.json()).toEqual({ thing_id: "m-2", tag_key: "k", value: "v" });
    const deleted = await app.inject({ method: "DELETE", url: "/ajax-api/2.0/mlflow/things/m-3/tags/k%2Fx", payload: {} });
    expect(deleted.json()).toEqual({ thing_id: "m-3", tag_key: "k/x", value: null });
    // The message's own field wins over the path (MLflow's clients repeat ids; they agree when both are sent).
    const both = await app.inject({ method: "PATCH", url: "/api/2.0/mlflow/things/m-4/tags/k", payload: { thing_id: "m-4b" } });
    expect(both.json().thing_id).toBe("m-4b");
  });

  it("serves a route under the API major version it belongs to, and only there", async () => {
    expect((await app.inject({ method: "POST", url: "/api/3.0/mlflow/v3-only", payload: {} })).json()).toEqual({ v: 3 });
    expect((await app.inject({ method: "POST", url: "/ajax-api/3.0/mlflow/v3-only", payload: {} })).json()).toEqual({ v: 3 });
    const v2 = await app.inject({ method: "POST", url: "/api/2.0/mlflow/v3-only", payload: {} });
    expect(v2.statusCode).toBe(404);
    expect(v2.json().error_code).toBe("ENDPOINT_NOT_FOUND");
    const echoUnderV3 = await app.inject({ method: "POST", url: "/api/3.0/mlflow/echo", payload: {} });
    expect(echoUnderV3.json().error_code).toBe("ENDPOINT_NOT_FOUND");
  });

  it("answers ENDPOINT_NOT_FOUND to an unknown route whatever its body and content type", async () => {
    for (const [contentType, payload] of [
      ["application/x-protobuf", Buffer.from([0x0a, 0x02, 0xff, 0x00])],
      ["application/json", "{not json"],
      ["text/plain", "hello"],
    ] as const) {
      const response = await app.inject({ method: "POST", url: "/v1/traces", headers: { "content-type": contentType }, payload });
      expect(response.statusCode, contentType).toBe(404);
      expect(response.json(), contentType).toEqual({ error_code: "ENDPOINT_NOT_FOUND", message: "No endpoint POST /v1/traces" });
    }
  });

  it("answers /health with OK and /version with the version", async () => {
    expect((await app.inject("/health")).body).toBe("OK");
    expect((await app.inject("/version")).body).toBe("9.8.7");
  });

  it("writes non-finite doubles as protobuf JSON strings and reads them back", async () => {
    for (const [sent, expected] of [["NaN", '"NaN"'], ["Infinity", '"Infinity"'], ["-Infinity", '"-Infinity"'], ["1.5", "1.5"]] as const) {
      const response = await app.inject({ method: "POST", url: "/api/2.0/mlflow/echo", payload: `{"value":"${sent}"}` });
      expect(response.body).toBe(`{"value":${expected}}`);
    }
  });

  it("decodes a body that is a JSON string holding the message, and bodies sent without a content type", async () => {
    const doubled = await app.inject({ method: "POST", url: "/ajax-api/2.0/mlflow/echo", payload: JSON.stringify(JSON.stringify({ value: 2 })) });
    expect(doubled.json()).toEqual({ value: 2 });
    const bare = await app.inject({ method: "POST", url: "/api/2.0/mlflow/echo", payload: '{"value":3}' });
    expect(bare.json()).toEqual({ value: 3 });
    const charset = await app.inject({ method: "POST", url: "/api/2.0/mlflow/echo", headers: { "content-type": "application/json; charset=utf-8" }, payload: '{"value":4}' });
    expect(charset.json()).toEqual({ value: 4 });
  });

  it("refuses a state-changing body that is not application/json (a cross-site simple request) with 415", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const refused = await app.inject({ method: "POST", url: "/api/2.0/mlflow/echo", headers: { "content-type": type }, payload: '{"value":3}' });
      expect(refused.statusCode).toBe(415);
      expect(refused.json()).toEqual({
        error_code: "UNSUPPORTED_MEDIA_TYPE",
        message: `Content-Type '${type}' is not supported: send the request body as application/json`,
      });
    }
  });

  it("answers every failure in MLflow's error shape with the right status", async () => {
    const badJson = await app.inject({ method: "POST", url: "/api/2.0/mlflow/echo", payload: "{nope" });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error_code).toBe("MALFORMED_REQUEST");

    const tooBig = await app.inject({ method: "POST", url: "/api/2.0/mlflow/echo", payload: `{"x":"${"a".repeat(3 * 1024 * 1024)}"}` });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error_code).toBe("INVALID_PARAMETER_VALUE");

    const missing = await app.inject({ method: "GET", url: "/api/2.0/mlflow/nothing-here" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error_code: "ENDPOINT_NOT_FOUND", message: "No endpoint GET /api/2.0/mlflow/nothing-here" });

    const refused = await app.inject({ method: "POST", url: "/api/2.0/mlflow/refuse", payload: "{}" });
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "Run with id=x not found" });

    const badUrl = await app.inject({ method: "GET", url: "/api/2.0/mlflow/echo%zz" });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().error_code).toBe("BAD_REQUEST");
  });

  it("hides internal faults behind a 500 that names the request id, not the cause", async () => {
    const response = await app.inject({ method: "POST", url: "/api/2.0/mlflow/boom", payload: "{}", headers: { "x-request-id": "req-42" } });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error_code: "INTERNAL_ERROR",
      message: "Internal server error; see the server log for this request id.",
      request_id: "req-42",
    });
    expect(response.body).not.toContain("secret internals");
    expect(response.headers["x-request-id"]).toBe("req-42");
  });
});

describe("request actor", () => {
  it("is the x-cairn-user header, else basic auth's user name, else anonymous; never verified", async () => {
    const app = await buildApp({
      version: "t",
      domains: [{ cairnEndpoints: [{ methods: ["GET"], path: "whoami", handle: (_fields, context) => ({ actor: context.actor }) }] }],
    });
    const whoami = async (headers: Record<string, string>) =>
      (await app.inject({ method: "GET", url: "/api/2.0/cairn/whoami", headers })).json().actor;
    expect(await whoami({ "x-cairn-user": "ada" })).toEqual({ name: "ada", verified: false });
    const basic = `Basic ${Buffer.from("grace:secret").toString("base64")}`;
    expect(await whoami({ authorization: basic })).toEqual({ name: "grace", verified: false });
    expect(await whoami({ "x-cairn-user": "ada", authorization: basic })).toEqual({ name: "ada", verified: false });
    expect(await whoami({})).toEqual({ name: "anonymous", verified: false });
    await app.close();
  });
});
