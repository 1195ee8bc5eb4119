import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { invalidParameter } from "../core/errors.js";
import { Fields, missingValue, type RawFields } from "../protocol/mlflow/fields.js";
import type { DomainRoutes } from "../server/app.js";
import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import { writeContextOfRequest } from "../server/request-actor.js";
import { parseRangeHeader } from "./range-header.js";
import type { ArtifactService } from "./service.js";

/**
 * HTTP <-> artifacts domain. The tracking API's artifacts/list is an ordinary MLflow endpoint; the routes of
 * mlflow_artifacts.proto need raw HTTP (bodies streamed both ways), so they live in a plugin.
 *
 * URL decoding: the wildcard tail reaches the handlers decoded exactly once by fastify's router (see
 * artifact-path.ts for the details and for why anything still percent-encoded afterwards is refused); handlers
 * pass it to the service untouched, which normalises and checks it before any storage sees it.
 */
export const MLFLOW_ARTIFACTS_PREFIXES = ["/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts"] as const;

const wildcard = (request: FastifyRequest): string => (request.params as { "*"?: string })["*"] ?? "";

const bodyFields = (request: FastifyRequest): Fields => {
  const body = request.body ?? {};
  if (typeof body !== "object" || Array.isArray(body)) throw invalidParameter("The request body must be a JSON object.");
  return new Fields(body as RawFields);
};

const sendJson = (reply: FastifyReply, message: object): FastifyReply => reply.type("application/json").send(message);

/** Each path segment percent-encoded once, so the router's single decode gives the key back exactly. */
const encodeKey = (key: string): string => key.split("/").map(encodeURIComponent).join("/");

const listEndpoint = (service: ArtifactService): MlflowEndpoint => ({
  methods: ["GET"],
  path: "artifacts/list",
  handle: (fields) => {
    // MLflow reads run_id, falling back to the deprecated run_uuid.
    const runId = fields.optionalString("run_id") || fields.optionalString("run_uuid");
    if (!runId) throw missingValue("run_id");
    // page_token is accepted and ignored: MLflow's artifact repositories list a folder in one page.
    fields.optionalString("page_token");
    return service.listRunArtifacts(runId, fields.optionalString("path"));
  },
});

const registerJsonRoutes = (app: FastifyInstance, service: ArtifactService, prefix: string): void => {
  app.get(`${prefix}/artifacts`, async (request, reply) => {
    const fields = new Fields((request.query ?? {}) as RawFields);
    return sendJson(reply, await service.listArtifacts(fields.optionalString("path")));
  });
  app.post(`${prefix}/mpu/create/*`, async (request, reply) => {
    const fields = bodyFields(request);
    const partUrl = (key: string, uploadId: string, partNumber: number): string =>
      `${request.protocol}://${request.host}${prefix}/mpu/upload-part/${encodeKey(key)}?upload_id=${uploadId}&part_number=${partNumber}`;
    const created = await service.createMultipartUpload(
      wildcard(request),
      fields.requiredString("path"),
      fields.optionalInt64("num_parts") ?? 1,
      partUrl,
      writeContextOfRequest(request),
    );
    return sendJson(reply, created);
  });
  app.post(`${prefix}/mpu/complete/*`, async (request, reply) => {
    const fields = bodyFields(request);
    if (fields.count("parts") === 0) throw missingValue("parts");
    const parts = fields.list("parts", (part) => {
      const etag = part.optionalString("etag");
      return { partNumber: part.requiredInt64("part_number"), ...(etag !== undefined ? { etag } : {}) };
    });
    await service.completeMultipartUpload(
      wildcard(request),
      fields.requiredString("path"),
      fields.requiredString("upload_id"),
      parts,
      writeContextOfRequest(request),
    );
    return sendJson(reply, {});
  });
  app.post(`${prefix}/mpu/abort/*`, async (request, reply) => {
    const fields = bodyFields(request);
    await service.abortMultipartUpload(wildcard(request), fields.requiredString("path"), fields.requiredString("upload_id"));
    return sendJson(reply, {});
  });
};

const registerStreamingRoutes = (app: FastifyInstance, service: ArtifactService, prefix: string): void => {
  app.get(`${prefix}/artifacts/*`, async (request, reply) => {
    const path = wildcard(request);
    const rangeHeader = request.headers.range;
    const size = typeof rangeHeader === "string" ? await service.fileSize(path) : undefined;
    const range = size === undefined ? undefined : parseRangeHeader(rangeHeader as string, size);
    if (range === "unsatisfiable") {
      return reply.status(416).header("Content-Range", `bytes */${size}`).type("application/json").send({});
    }
    const download = await service.download(path, range, writeContextOfRequest(request));
    reply
      .header("Content-Type", download.contentType)
      .header("Content-Disposition", download.contentDisposition)
      .header("X-Content-Type-Options", "nosniff")
      .header("Accept-Ranges", "bytes")
      .header("Content-Length", String(download.contentLength));
    if (download.range) {
      reply.status(206).header("Content-Range", `bytes ${download.range.start}-${download.range.end}/${download.totalSize}`);
    }
    return reply.send(download.stream);
  });
  app.put(`${prefix}/artifacts/*`, async (request, reply) => {
    const declared = Number(request.headers["content-length"]);
    await service.upload(wildcard(request), request.raw, writeContextOfRequest(request), Number.isSafeInteger(declared) ? declared : undefined);
    return sendJson(reply, {});
  });
  app.delete(`${prefix}/artifacts/*`, async (request, reply) => {
    await service.delete(wildcard(request), writeContextOfRequest(request));
    return sendJson(reply, {});
  });
  // Cairn's own route: the part URLs that mpu/create hands out point here (MLflow's local store has no multipart).
  app.put(`${prefix}/mpu/upload-part/*`, async (request, reply) => {
    const fields = new Fields((request.query ?? {}) as RawFields);
    const { etag } = await service.uploadPart(
      wildcard(request),
      fields.requiredString("upload_id"),
      fields.requiredInt64("part_number"),
      request.raw,
    );
    return reply.header("ETag", etag).type("application/json").send({});
  });
};

export const artifactRoutes = (service: ArtifactService): DomainRoutes => ({
  endpoints: [listEndpoint(service)],
  plugin: async (app) => {
    for (const prefix of MLFLOW_ARTIFACTS_PREFIXES) registerJsonRoutes(app, service, prefix);
    // Upload bodies are any content type and any size: in this scope no parser reads them (so the app's JSON
    // parser and its body limit never touch them) and handlers stream request.raw to storage.
    await app.register(async (raw) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
      for (const prefix of MLFLOW_ARTIFACTS_PREFIXES) registerStreamingRoutes(raw, service, prefix);
    });
  },
});
