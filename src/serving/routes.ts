import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CairnError, ErrorCode } from "../core/errors.js";
import type { DomainRoutes } from "../server/app.js";
import { shortenMessage } from "../server/error-handler.js";
import { CODEC_RETRY_AFTER_SECONDS, CodecPool, CodecPoolBusyError, type CodecPoolOptions } from "./codec-pool/codec-pool.js";
import { modelMetadata } from "./protocols/open-inference.js";
import type { InferenceContext, ServedModel, ServedModels, ServingProtocol } from "./served-model.js";

/**
 * HTTP <-> served models for both protocols, kept thin: decode -> served.infer -> encode. Each protocol lives in
 * its own fastify scope with its own body parser (raw text up to `maxBodyBytes`, whatever the content type, so
 * MLflow's CSV and content-type rules apply) and its own error shape: MLflow's {error_code, message} (415 in
 * plain text, as MLflow's scoring server answers it), the Open Inference Protocol's {"error": "..."}. Bodies are
 * read as bytes: large ones are decoded, and large answers encoded, on the codec pool's worker threads.
 */
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
export const ROUTING_KEY_HEADER = "x-cairn-routing-key";
/** On every prediction of both protocols: the version that answered (a canary's, when the canary took the request). */
export const MODEL_VERSION_HEADER = "x-cairn-model-version";

export interface ServingRoutesOptions {
  /** Inside `cairn server`: each deployment answers at /deployments/<name>/invocations. */
  mountDeployments: boolean;
  /** `cairn serve`: the name of the one model that also answers /invocations and /ping. */
  standaloneModel?: string;
  maxBodyBytes?: number;
  /** Reported by GET /v2. */
  serverName?: string;
  serverVersion?: string;
  /** Worker threads, inline threshold and queue bounds of the codec pool (defaults in codec-pool.ts). */
  codecs?: CodecPoolOptions;
}

const oipError = (message: string, status: number): CairnError =>
  new CairnError(status === 404 ? ErrorCode.RESOURCE_DOES_NOT_EXIST : ErrorCode.BAD_REQUEST, message, { status });

const tooLarge = (limit: number): CairnError =>
  new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, `Request body exceeds the serving limit of ${limit} bytes.`, { status: 413 });

/** The failure as a CairnError when it is the client's, undefined for internal faults. */
const clientError = (error: FastifyError | CairnError, limit: number): CairnError | undefined => {
  if (error instanceof CairnError) return error;
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return tooLarge(limit);
  const status = error.statusCode ?? 500;
  return status < 500 ? new CairnError(ErrorCode.BAD_REQUEST, error.message, { status }) : undefined;
};

const internal = (request: FastifyRequest, error: unknown): CairnError => {
  request.log.error({ err: error }, "serving internal error");
  return new CairnError(ErrorCode.INTERNAL_ERROR, `Internal server error; see the server log for request ${String(request.id)}.`);
};

const rawBodyParsing = (scope: FastifyInstance, limit: number, codecs: CodecPool): void => {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: limit }, (_request, body, done) => done(null, body));
  // A large body the codec pool could not take now is refused before it is read, not after holding it in memory.
  scope.addHook("onRequest", async (request) => {
    const declared = Number(request.headers["content-length"]);
    if (request.method === "POST" && Number.isSafeInteger(declared) && codecs.refusesBody(declared)) throw new CodecPoolBusyError();
  });
};

const sendJson = (reply: FastifyReply, status: number, text: string | Uint8Array): FastifyReply =>
  reply.status(status).type("application/json").send(typeof text === "string" ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength));

/** A full codec queue's 503 says when to come back. */
const retryAfter = (reply: FastifyReply, known: CairnError): void => {
  if (known.status === 503) reply.header("retry-after", String(CODEC_RETRY_AFTER_SECONDS));
};

const contextOf = (request: FastifyRequest, protocol: ServingProtocol, version?: string): InferenceContext => {
  const context: InferenceContext = { requestId: String(request.id), protocol };
  const key = request.headers[ROUTING_KEY_HEADER];
  if (typeof key === "string" && key !== "") context.routingKey = key;
  if (version !== undefined) context.version = version;
  return context;
};

/** Decodes a request; a failure is reported to the model as a refused request (metrics), then answered as usual. */
const refusedBy = async <T>(served: ServedModel, context: InferenceContext, decode: () => Promise<T>): Promise<T> => {
  try {
    return await decode();
  } catch (error) {
    served.refused?.(context);
    throw error;
  }
};

const EMPTY = new Uint8Array(0);
const bodyBytes = (request: FastifyRequest): Uint8Array => (request.body instanceof Uint8Array ? request.body : EMPTY);

const mlflowScope = (models: ServedModels, codecs: CodecPool, limit: number, options: ServingRoutesOptions) => async (scope: FastifyInstance) => {
  rawBodyParsing(scope, limit, codecs);
  scope.setErrorHandler((error: FastifyError, request, reply) => {
    const known = clientError(error, limit) ?? internal(request, error);
    retryAfter(reply, known);
    // MLflow's scoring server refuses content types in plain text.
    if (known.status === 415) return reply.status(415).type("text/plain").send(shortenMessage(known.message));
    return sendJson(reply, known.status, JSON.stringify({ error_code: known.code, message: shortenMessage(known.message) }));
  });

  const invoke = async (served: ServedModel, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const model = { inputs: served.inputs(), signatureColumns: served.signatureColumns?.() };
    const context = contextOf(request, "mlflow");
    const contentType = request.headers["content-type"];
    const { feeds, form } = await refusedBy(served, context, () => codecs.run({ kind: "decode-mlflow", body: bodyBytes(request), contentType, model }));
    const result = await served.infer(feeds, context);
    const order = (result.outputSpecs ?? served.outputs(result.version)).map((spec) => spec.name);
    const answer = await codecs.run({ kind: "encode-mlflow", outputs: result.outputs, order, form });
    reply.header(MODEL_VERSION_HEADER, result.version);
    return sendJson(reply, 200, answer);
  };

  if (options.mountDeployments) {
    scope.post<{ Params: { name: string } }>("/deployments/:name/invocations", async (request, reply) => {
      const served = models.get(request.params.name);
      if (served === undefined) throw new CairnError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `Deployment '${request.params.name}' not found.`);
      return invoke(served, request, reply);
    });
  }
  const standalone = options.standaloneModel;
  if (standalone !== undefined) {
    const served = (): ServedModel => {
      const model = models.get(standalone);
      if (model === undefined) throw new CairnError(ErrorCode.TEMPORARILY_UNAVAILABLE, `Model '${standalone}' is not loaded.`);
      return model;
    };
    scope.post("/invocations", async (request, reply) => invoke(served(), request, reply));
    // MLflow's /ping: 200 with a newline when the model is loaded.
    scope.get("/ping", async (_request, reply) => {
      const ready = models.get(standalone)?.ready() ?? false;
      return reply.status(ready ? 200 : 404).type("application/json").send("\n");
    });
  }
};

const oipScope = (models: ServedModels, codecs: CodecPool, limit: number, options: ServingRoutesOptions) => async (scope: FastifyInstance) => {
  rawBodyParsing(scope, limit, codecs);
  scope.setErrorHandler((error: FastifyError, request, reply) => {
    const known = clientError(error, limit) ?? internal(request, error);
    retryAfter(reply, known);
    return sendJson(reply, known.status, JSON.stringify({ error: shortenMessage(known.message) }));
  });

  type ModelParams = { name: string; version?: string };
  const modelOf = (params: ModelParams): ServedModel => {
    const served = models.get(params.name);
    if (served === undefined) throw oipError(`Model '${params.name}' not found.`, 404);
    if (params.version !== undefined && !served.versions().includes(params.version)) {
      throw oipError(`Model '${params.name}' has no version '${params.version}' serving (serving: ${served.versions().join(", ") || "none"}).`, 404);
    }
    return served;
  };
  // The protocol answers readiness with the status: 200 for true, a 4xx for false.
  const boolStatus = (value: boolean): number => (value ? 200 : 400);

  scope.get("/v2", async (_request, reply) =>
    sendJson(reply, 200, JSON.stringify({ name: options.serverName ?? "cairn", version: options.serverVersion ?? "", extensions: [] })),
  );
  scope.get("/v2/health/live", async (_request, reply) => sendJson(reply, 200, JSON.stringify({ live: true })));
  scope.get("/v2/health/ready", async (_request, reply) => {
    const ready = models.list().every((model) => model.ready());
    return sendJson(reply, boolStatus(ready), JSON.stringify({ ready }));
  });

  for (const base of ["/v2/models/:name", "/v2/models/:name/versions/:version"]) {
    scope.get<{ Params: ModelParams }>(base, async (request, reply) => {
      const served = modelOf(request.params);
      const version = request.params.version;
      const meta = modelMetadata(served.name, served.versions(), served.inputs(version), served.outputs(version));
      return sendJson(reply, 200, JSON.stringify(meta));
    });
    scope.get<{ Params: ModelParams }>(`${base}/ready`, async (request, reply) => {
      const served = modelOf(request.params);
      const ready = served.ready(request.params.version);
      return sendJson(reply, boolStatus(ready), JSON.stringify({ name: served.name, ready }));
    });
    scope.post<{ Params: ModelParams }>(`${base}/infer`, async (request, reply) => {
      const served = modelOf(request.params);
      const version = request.params.version;
      const context = contextOf(request, "oip", version);
      const outputSpecs = served.outputs(version);
      const decoded = await refusedBy(served, context, () =>
        codecs.run({ kind: "decode-oip", body: bodyBytes(request), inputs: served.inputs(version), outputs: outputSpecs }),
      );
      const result = await served.infer(decoded.feeds, context);
      const order = decoded.outputs ?? outputSpecs.map((spec) => spec.name);
      const id = decoded.id ?? context.requestId;
      const answer = await codecs.run({ kind: "encode-oip", modelName: served.name, version: result.version, id, outputs: result.outputs, order });
      reply.header(MODEL_VERSION_HEADER, result.version);
      return sendJson(reply, 200, answer);
    });
  }
};

export const servingRoutes = (models: ServedModels, options: ServingRoutesOptions): DomainRoutes => {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return {
    plugin: async (app) => {
      const codecs = new CodecPool(options.codecs);
      app.addHook("onClose", async () => codecs.close());
      await app.register(mlflowScope(models, codecs, limit, options));
      await app.register(oipScope(models, codecs, limit, options));
    },
  };
};
