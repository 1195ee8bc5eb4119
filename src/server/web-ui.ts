import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The web UI: the files `vite build` wrote to dist/ui, served at `/`. The API keeps its paths; any other GET a
 * browser makes for a page (/experiments/3, /models/churn) gets index.html and the UI's router takes it from there.
 */

/** dist/ui beside the compiled server (dist/server), or, when the server runs from src/ through tsx, the built one. */
export const defaultWebUiDir = (): string | undefined =>
  [new URL("../ui/", import.meta.url), new URL("../../dist/ui/", import.meta.url)]
    .map((url) => fileURLToPath(url))
    .find((dir) => existsSync(`${dir}index.html`));

/**
 * The pages may talk to this server only: no CDN, no remote font, no third-party beacon. style-src allows inline
 * styles because chart libraries position their elements with style attributes.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
].join("; ");

/** Paths that belong to APIs and protocols: a miss there is an API 404, never the UI's page. */
const API_PATH = /^\/(?:api|ajax-api|v2|invocations|ping|health|version|metrics)(?:\/|$)|^\/deployments\/[^/]+\/(?:invocations|ping|health|version)$/;

/** Whether a path belongs to an API or protocol (authentication protects these; the UI's files are public). */
export const isApiPath = (pathname: string): boolean => API_PATH.test(pathname);

const wantsPage = (request: FastifyRequest): boolean => {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const pathname = request.url.split("?")[0] ?? "";
  if (API_PATH.test(pathname) || pathname.startsWith("/assets/")) return false;
  return (request.headers.accept ?? "").includes("text/html");
};

export interface WebUi {
  /** Answers a browser's page request that matched no route with the UI's index.html; false when it is not one. */
  servePage(request: FastifyRequest, reply: FastifyReply): boolean;
}

export const registerWebUi = async (app: FastifyInstance, dir: string): Promise<WebUi> => {
  await app.register(fastifyStatic, {
    root: dir,
    prefix: "/",
    // One route per built file, registered at start: no wildcard route that could shadow an API path.
    wildcard: false,
    index: false,
    setHeaders: (response, filePath) => {
      // Vite names every asset by its content hash: it can be cached for good. index.html must be asked again.
      if (filePath.includes("/assets/")) response.header("cache-control", "public, max-age=31536000, immutable");
      else response.header("cache-control", "no-cache");
      if (filePath.endsWith(".html")) response.header("content-security-policy", CONTENT_SECURITY_POLICY);
      response.header("x-content-type-options", "nosniff");
    },
  });
  const sendIndex = (reply: FastifyReply): FastifyReply =>
    reply
      .header("cache-control", "no-cache")
      .header("content-security-policy", CONTENT_SECURITY_POLICY)
      .header("x-content-type-options", "nosniff")
      .sendFile("index.html", dir);
  app.get("/", (_request, reply) => sendIndex(reply));
  return {
    servePage: (request, reply) => {
      if (!wantsPage(request)) return false;
      void sendIndex(reply);
      return true;
    },
  };
};
