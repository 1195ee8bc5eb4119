import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { notFound } from "../../core/errors.js";
import { buildApp } from "../../server/app.js";
import { openLocalArtifactStore } from "../../stores/artifact-stores/local/index.js";
import { artifactRoutes } from "../routes.js";
import { ArtifactService } from "../service.js";
import type { ArtifactStore } from "../store.js";
import { ArtifactQuotas, type ArtifactQuotaLimits } from "../upload-quota.js";

/** A real app over a real folder in a temp dir; runs map to artifact URIs through a plain table. */
export interface ArtifactHarness {
  dir: string;
  root: string;
  store: ArtifactStore;
  app: FastifyInstance;
  runs: Map<string, string>;
  close(): Promise<void>;
}

/** `quotas`: upload quotas, as `cairn server` sets them (upload-quota.ts); none by default. */
export const openHarness = async (quotas?: ArtifactQuotaLimits): Promise<ArtifactHarness> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-artifacts-"));
  const root = path.join(dir, "root");
  const store = await openLocalArtifactStore(root);
  const runs = new Map<string, string>();
  const service = new ArtifactService(store, {
    resolveRunArtifactUri: async (runId) => {
      const uri = runs.get(runId);
      if (uri === undefined) throw notFound(`Run with id=${runId} not found`);
      return uri;
    },
    ...(quotas === undefined ? {} : { quotas: new ArtifactQuotas(store, quotas) }),
  });
  // The multipart tests name the server "cairn.test:5000" (part URLs point back at the Host a client used).
  const app = await buildApp({ version: "test", domains: [artifactRoutes(service)], requestChecks: { boundHost: "127.0.0.1", allowedHosts: ["cairn.test"] } });
  return {
    dir,
    root,
    store,
    app,
    runs,
    close: async () => {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Sends a request whose path goes on the wire exactly as written. fastify's inject (and fetch) parse the URL with
 * WHATWG rules, which resolve "..", "%2e%2e" and friends before the server sees them; escape tests must not.
 */
export const rawRequest = (baseUrl: string, method: string, rawPath: string, body?: string, contentType = "application/octet-stream"): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const url = new URL(baseUrl);
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path: rawPath, headers: body === undefined ? {} : { "content-type": contentType } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
