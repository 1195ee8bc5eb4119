import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

/**
 * Sends a request whose body is a Node stream through node:http, and returns the answer as a fetch Response.
 * Why not fetch: Node 20's fetch reads a streamed request body ahead of the socket (measured: a 300 MB upload grew
 * the client by about 300 MB), while node:http's pipeline honours backpressure (constant memory). Uploads of any
 * size must stay streamed, so they come through here.
 */
export const streamRequest = (
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Readable,
): Promise<Response> =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const transport = target.protocol === "https:" ? https : http;
    const request = transport.request(target, { method, headers });
    request.once("error", reject);
    request.once("response", (incoming) => {
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
        else if (value !== undefined) responseHeaders.set(name, value);
      }
      const status = incoming.statusCode ?? 502;
      const nullBody = status === 204 || status === 205 || status === 304;
      if (nullBody) incoming.resume();
      const stream = nullBody ? null : (Readable.toWeb(incoming) as WebReadableStream<Uint8Array>);
      resolve(new Response(stream as unknown as ReadableStream, { status, statusText: incoming.statusMessage ?? "", headers: responseHeaders }));
    });
    // An early answer (e.g. 404 before the body is sent) ends the exchange: stop reading the source.
    pipeline(body, request).catch((error: unknown) => {
      body.destroy();
      reject(error);
    });
  });
