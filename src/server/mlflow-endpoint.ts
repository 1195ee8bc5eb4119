import type { FastifyInstance, FastifyRequest } from "fastify";
import type { WriteContext } from "../core/actor.js";
import { type CairnError, invalidParameter } from "../core/errors.js";
import { Fields, type RawFields } from "../protocol/mlflow/fields.js";
import type { Principal } from "../auth/principal.js";
import { actorOfRequest } from "./request-actor.js";
import { bodyTooLarge } from "./error-handler.js";

/**
 * One MLflow-style JSON endpoint: the route reads its fields (query string for GET and DELETE-with-query, JSON body
 * otherwise) and returns the response message. Routes stay thin: parse with Fields, call the service, return.
 */
export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

/**
 * A request's context. It is a WriteContext (who, which request), so routes pass it straight to service writes;
 * `actor` is the authenticated user with `--auth` (verified), else the name the client declares (unverified).
 */
export interface RequestContext extends WriteContext {
  /** The declared user name, when the client declared one; the tracking service falls back to it for run user ids. */
  declaredUser?: string;
  /** Declared size of the request body (content-length), for endpoints with a smaller limit than the app's. */
  bodyBytes?: number;
  /** The authenticated user (`--auth`); undefined with auth off. */
  principal?: Principal;
}

/**
 * A body that is not a JSON message (an exported document: text/markdown, text/html...). An endpoint returns it
 * instead of a message object; it is sent as is with its content type.
 */
export class TextResponse {
  constructor(
    readonly contentType: string,
    readonly body: string,
  ) {}
}

export interface MlflowEndpoint {
  methods: HttpMethod[];
  /**
   * Path below the API prefix, e.g. "runs/log-batch", with path parameters in fastify's spelling
   * ("logged-models/:model_id/tags/:tag_key"); their values join the request's fields (see requestFields).
   */
  path: string;
  /**
   * The major API version the route is served under (`/api/<n>.0/...`): MLflow serves each RPC under the major
   * version its proto `since` names, and only there (v3 traces and assessments live under 3.0). Default 2.
   */
  apiVersion?: 2 | 3;
  handle: (fields: Fields, context: RequestContext) => Promise<object> | object;
  /**
   * A body limit below the app's (JSON_BODY_LIMIT), where MLflow has one (log-batch: 1 MB). A declared
   * content-length over it is refused before a byte is read (with `tooLarge`'s error when given, else a 413 naming
   * the limit); an undeclared or understated one is cut at the limit while it is read.
   */
  maxBodyBytes?: number;
  tooLarge?: (declaredBytes: number) => CairnError;
}

/** MLflow serves every route under both prefixes; the web UI of MLflow uses the second. */
export const mlflowApiPrefixes = (apiVersion: 2 | 3): readonly string[] => [`/api/${apiVersion}.0/mlflow`, `/ajax-api/${apiVersion}.0/mlflow`];

/** Cairn's own APIs (audit, governance, webhooks...) in the same JSON style and error shape. */
export const CAIRN_API_PREFIXES = ["/api/2.0/cairn", "/ajax-api/2.0/cairn"] as const;

/**
 * GET carries fields in the query; MLflow's DELETE registry calls may use either, so the query is merged under the
 * body. Path parameters (`logged-models/:model_id`) go under both: MLflow's clients repeat an id in the query or
 * body for most calls but not all (the logged-model tag calls carry it only in the path), so the path fills in
 * what the message lacks.
 */
export const requestFields = (request: FastifyRequest): Fields => {
  const params = (request.params ?? {}) as RawFields;
  const query = { ...params, ...((request.query ?? {}) as RawFields) };
  if (request.method === "GET") return Fields.fromQuery(query);
  const body = request.body;
  if (body === undefined || body === null) return Fields.fromQuery(query);
  if (typeof body !== "object" || Array.isArray(body)) {
    throw invalidParameter("The request body must be a JSON object.");
  }
  return new Fields({ ...query, ...(body as RawFields) });
};

export const registerMlflowEndpoints = (
  app: FastifyInstance,
  endpoints: readonly MlflowEndpoint[],
  prefixesOf: (endpoint: MlflowEndpoint) => readonly string[] = (endpoint) => mlflowApiPrefixes(endpoint.apiVersion ?? 2),
): void => {
  for (const endpoint of endpoints) {
    for (const prefix of prefixesOf(endpoint)) {
      const limit = endpoint.maxBodyBytes;
      app.route({
        method: endpoint.methods,
        url: `${prefix}/${endpoint.path}`,
        ...(limit === undefined
          ? {}
          : {
              bodyLimit: limit,
              preParsing: async (request: FastifyRequest) => {
                const declared = Number(request.headers["content-length"] ?? 0);
                if (declared > limit) throw endpoint.tooLarge?.(declared) ?? bodyTooLarge(limit);
              },
            }),
        handler: async (request, reply) => {
          const { actor, declaredUser } = actorOfRequest(request);
          const context: RequestContext = {
            requestId: String(request.id),
            actor,
            ...(declaredUser === undefined ? {} : { declaredUser }),
            ...(request.principal === undefined ? {} : { principal: request.principal }),
            ...(request.headers["content-length"] ? { bodyBytes: Number(request.headers["content-length"]) } : {}),
          };
          const result = await endpoint.handle(requestFields(request), context);
          if (result instanceof TextResponse) return reply.type(result.contentType).send(result.body);
          return reply.type("application/json").send(result);
        },
      });
    }
  }
};
