import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app.js";
import { composeDomains, type ComposedDomains } from "../../server/compose.js";
import { openArtifactStore, openMetadataStores } from "../../stores/registry.js";
import type { MetadataStores } from "../../stores/metadata-stores.js";
import { isPublicRequest } from "../authenticate-hook.js";
import { POLICY_TABLE } from "./policy-table.js";
import { routeKey } from "./route-key.js";

/**
 * The policy table covers every route the server registers (fastify's onRoute, through the authorizer): a route
 * without a rule would be administrators-only, which is safe but is a forgotten decision, so it fails here. And the
 * table names no route that does not exist (a stale rule hides a renamed route's missing one).
 */
let dir: string;
let stores: MetadataStores;
let composed: ComposedDomains;
let app: FastifyInstance;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-policy-"));
  stores = await openMetadataStores(`sqlite:///${dir}/cairn.db`);
  composed = composeDomains(stores, await openArtifactStore(`${dir}/artifacts`), {
    modelCacheDir: `${dir}/models`,
    referenceCacheDir: `${dir}/references`,
    serverVersion: "test",
    auth: { enabled: true },
  });
  app = await buildApp({
    version: "test",
    domains: composed.domains,
    ...(composed.auth.authentication ? { auth: composed.auth.authentication } : {}),
    authorize: (scope) => composed.authorizer.install(scope),
  });
});
afterAll(async () => {
  await app.close();
  await stores.close();
  await rm(dir, { recursive: true, force: true });
});

const isPublic = (method: string, url: string): boolean =>
  isPublicRequest({ method, url: url.replace(/:[a-z_]+/g, "x").replace("*", "x") } as unknown as FastifyRequest);

describe("the policy table", () => {
  it("has a rule for every registered route that is not public", () => {
    const routes = composed.authorizer.routes.filter((route) => !route.startsWith("HEAD "));
    expect(routes.length).toBeGreaterThan(250);
    const missing = routes.filter((route) => {
      const [method = "", url = ""] = route.split(" ");
      return !isPublic(method, url) && POLICY_TABLE[routeKey(method, url)] === undefined;
    });
    expect(missing).toEqual([]);
  });

  it("names only routes that exist", () => {
    const registered = new Set(composed.authorizer.routes.map((route) => {
      const [method = "", url = ""] = route.split(" ");
      return routeKey(method, url);
    }));
    expect(Object.keys(POLICY_TABLE).filter((key) => !registered.has(key))).toEqual([]);
  });

  it("keys the /ajax-api/ spelling and HEAD as the same route", () => {
    expect(routeKey("HEAD", "/ajax-api/2.0/mlflow/runs/get")).toBe("GET /api/2.0/mlflow/runs/get");
    expect(routeKey("post", "/ajax-api/3.0/mlflow/traces")).toBe("POST /api/3.0/mlflow/traces");
  });
});
