import type { FastifyInstance, FastifyRequest } from "fastify";
import { invalidValue, missingValue } from "../../protocol/mlflow/fields.js";
import type { DomainRoutes } from "../../server/app.js";
import { Readable } from "node:stream";
import { CAIRN_API_PREFIXES, requestFields, type MlflowEndpoint } from "../../server/mlflow-endpoint.js";
import { writeContextOfRequest } from "../../server/request-actor.js";
import { DEFAULT_REFERENCES_PAGE, MAX_MISSING_HASHES, MAX_REFERENCES_PAGE, parseObjectHash, type DataObjectService } from "./service.js";

/**
 * HTTP <-> the server's data objects. The existence check and the references are ordinary JSON endpoints; the
 * objects themselves stream both ways through raw routes (no body parser, so nothing is buffered whole).
 */
export const DATA_OBJECT_PATH = "data/objects/sha256/:hash";
/** Many small objects in one request each way (framing in batch-frames.ts). */
export const BATCH_UPLOAD_PATH = "data/objects/batch-upload";
export const BATCH_DOWNLOAD_PATH = "data/objects/batch-download";

/** 10,000 hashes of at most 68 characters in JSON, with room for the envelope. */
const MISSING_BODY_LIMIT = 1024 * 1024;

const hashParam = (request: FastifyRequest): string => parseObjectHash((request.params as { hash?: string }).hash ?? "", "hash");

const missingEndpoint = (service: DataObjectService): MlflowEndpoint => ({
  methods: ["POST"],
  path: "data/objects/missing",
  maxBodyBytes: MISSING_BODY_LIMIT,
  handle: async (fields) => {
    if (fields.rawValue("hashes") === undefined) throw missingValue("hashes");
    const hashes = fields.stringList("hashes", { maxItems: MAX_MISSING_HASHES, maxLength: 68 }).map((hash, index) => parseObjectHash(hash, `hashes[${index}]`));
    return { missing: await service.missing(hashes) };
  },
});

const referencesEndpoint = (service: DataObjectService): MlflowEndpoint => ({
  methods: ["GET"],
  path: "data/references",
  handle: async (fields) => {
    const maxResults = fields.optionalInt64("max_results") ?? DEFAULT_REFERENCES_PAGE;
    if (maxResults < 1 || maxResults > MAX_REFERENCES_PAGE) throw invalidValue("max_results", maxResults, `must be between 1 and ${MAX_REFERENCES_PAGE}`);
    const page = await service.references(maxResults, fields.optionalString("page_token"));
    return { hashes: page.hashes, ...(page.nextPageToken === undefined ? {} : { next_page_token: page.nextPageToken }) };
  },
});

const registerObjectRoutes = (app: FastifyInstance, service: DataObjectService, prefix: string): void => {
  const url = `${prefix}/${DATA_OBJECT_PATH}`;
  app.put(url, async (request, reply) => {
    const hash = hashParam(request);
    const declared = Number(request.headers["content-length"]);
    const stored = await service.put(hash, request.raw, writeContextOfRequest(request), Number.isSafeInteger(declared) ? declared : undefined);
    return reply.type("application/json").send({ size: stored.size, created: stored.created });
  });
  app.post(`${prefix}/${BATCH_UPLOAD_PATH}`, async (request, reply) => {
    const stored = await service.putBatch(request.raw, writeContextOfRequest(request));
    return reply.type("application/json").send(stored);
  });
  app.get(url, async (request, reply) => {
    const content = await service.get(hashParam(request));
    return reply
      .header("Content-Type", "application/octet-stream")
      .header("X-Content-Type-Options", "nosniff")
      .header("Content-Length", String(content.size))
      .send(content.stream);
  });
};

/** 10,000 hashes (the missing check's bound) and a JSON envelope. */
const batchDownloadEndpoint = (app: FastifyInstance, service: DataObjectService, prefix: string): void => {
  app.post(`${prefix}/${BATCH_DOWNLOAD_PATH}`, { bodyLimit: MISSING_BODY_LIMIT }, async (request, reply) => {
    const fields = requestFields(request);
    if (fields.rawValue("hashes") === undefined) throw missingValue("hashes");
    const hashes = fields.stringList("hashes", { maxItems: MAX_MISSING_HASHES, maxLength: 68 }).map((hash, index) => parseObjectHash(hash, `hashes[${index}]`));
    return reply.header("Content-Type", "application/octet-stream").header("X-Content-Type-Options", "nosniff").send(Readable.from(service.getBatch(hashes)));
  });
};

export const dataObjectRoutes = (service: DataObjectService): DomainRoutes => ({
  cairnEndpoints: [missingEndpoint(service), referencesEndpoint(service)],
  plugin: async (app) => {
    // A JSON request whose answer is a stream: registered where the app's JSON parser applies.
    for (const prefix of CAIRN_API_PREFIXES) batchDownloadEndpoint(app, service, prefix);
    // Object bodies are any bytes: no parser in this scope reads them; the handler streams request.raw.
    await app.register(async (raw) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
      for (const prefix of CAIRN_API_PREFIXES) registerObjectRoutes(raw, service, prefix);
    });
  },
});
