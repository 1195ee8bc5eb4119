import type { FastifyInstance } from "fastify";

/** What a JSON route answered: the status and the parsed body (undefined for an empty one). */
export interface JsonReply {
  status: number;
  body: any;
}

/**
 * One in-process JSON call, as the HTTP tests of every domain make them: GET sends `payload` as the query (an
 * object, or a ready query string appended to the URL), the other methods send it as the JSON body (an empty body
 * when there is none).
 */
export const injectJson = async (
  app: FastifyInstance,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonReply> => {
  const response =
    method === "GET"
      ? await app.inject({
          method,
          url: typeof payload === "string" ? `${url}?${payload}` : url,
          query: typeof payload === "object" && payload !== null ? (payload as Record<string, string | string[]>) : undefined,
          headers,
        })
      : await app.inject({
          method,
          url,
          payload: payload === undefined ? "" : JSON.stringify(payload),
          headers: { "content-type": "application/json", ...headers },
        });
  return { status: response.statusCode, body: response.body === "" ? undefined : JSON.parse(response.body) };
};
