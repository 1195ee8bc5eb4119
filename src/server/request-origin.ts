import type { FastifyInstance, FastifyRequest } from "fastify";
import { networkInterfaces } from "node:os";
import { CairnError, ErrorCode } from "../core/errors.js";

/**
 * Secure-by-default request checks against a browser on another site and DNS rebinding (issue 12, finding
 * "cross-site requests"): without them a page on any origin, opened on the user's machine, could create webhooks or
 * delete deployments through a "simple request" (a text/plain or form POST needs no CORS preflight), and a name that
 * an attacker re-points at 127.0.0.1 could read and write as if it were same-origin.
 *
 * 1. Host: the Host header's name must be one of the allowed hosts (the loopback names and the bound address by
 *    default), so a rebound attacker name never reaches a route.
 * 2. Origin: a state-changing request (POST, PUT, PATCH, DELETE) whose Origin (else Referer) names another origin
 *    than its Host is refused. Requests with neither (CLI, SDK, MLflow clients) pass: browsers always send Origin on
 *    cross-origin writes.
 * 3. Content type: state-changing JSON bodies must be application/json (see `requireJsonContentType`, used by the
 *    app's default body parser; routes with raw bodies, artifact uploads and scoring, have their own parsers).
 * No CORS headers are ever sent, so a foreign page cannot read answers either.
 */
export interface RequestOriginOptions {
  /**
   * Host names (optionally `name:port`) the Host header may carry, besides the defaults; `*` disables the check.
   * IPv6 addresses in brackets: `[::1]`.
   */
  allowedHosts?: readonly string[];
  /** Origins (`https://ui.example:8443`) whose state-changing requests are accepted besides same-origin; `*`: any. */
  allowedOrigins?: readonly string[];
  /** The address the server listens on: it joins the allowed hosts (all interface addresses for 0.0.0.0 / ::). */
  boundHost?: string;
}

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];
const WILDCARD_ADDRESSES = new Set(["0.0.0.0", "::", "[::]", ""]);

/** A Host header value or allowlist entry split into a lower-case name (IPv6 in brackets) and an optional port. */
const splitHost = (value: string): { name: string; port?: string } | undefined => {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]\s/@]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!match) return undefined;
  const name = (match[1] ?? "").toLowerCase().replace(/\.$/, "");
  return match[2] === undefined ? { name } : { name, port: match[2] };
};

const bracketed = (address: string): string => (address.includes(":") && !address.startsWith("[") ? `[${address}]` : address);

/** The names the server is reachable under without configuration: loopback, the bound address, and for a wildcard
 * bind every local interface address (addresses cannot be rebound; names other than these must be listed). */
export const defaultAllowedHosts = (boundHost?: string): string[] => {
  const hosts = [...LOOPBACK_HOSTS];
  if (boundHost === undefined) return hosts;
  if (WILDCARD_ADDRESSES.has(boundHost)) {
    for (const entries of Object.values(networkInterfaces())) {
      for (const entry of entries ?? []) hosts.push(bracketed(entry.address.replace(/%.*$/, "")));
    }
  } else {
    hosts.push(bracketed(boundHost));
  }
  return hosts;
};

/** The origin (scheme://host:port, default ports dropped) of an Origin or Referer value; undefined if unparseable. */
const originOf = (value: string): string | undefined => {
  if (value === "null") return "null";
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined;
  } catch {
    return undefined;
  }
};

const defaultPort = (protocol: string): string => (protocol === "https:" ? "443" : "80");

/** Whether an origin is the one the request was addressed to: same host name and port (a TLS proxy in front keeps
 * the Host, so the scheme is not compared: the origin's default port stands for a Host without one). */
const isSameOrigin = (origin: string, hostHeader: string): boolean => {
  if (origin === "null") return false;
  const url = new URL(origin);
  const host = splitHost(hostHeader);
  if (!host) return false;
  const originPort = url.port || defaultPort(url.protocol);
  return url.hostname.toLowerCase() === host.name && originPort === (host.port ?? defaultPort(url.protocol));
};

export interface RequestChecks {
  /** Throws a 403 CairnError when the request's Host or Origin is refused. */
  check(request: FastifyRequest): void;
}

export const requestChecks = (options: RequestOriginOptions = {}): RequestChecks => {
  const hostEntries = options.allowedHosts ?? [];
  const anyHost = hostEntries.includes("*");
  const allowedHosts = [...defaultAllowedHosts(options.boundHost), ...hostEntries]
    .map((entry) => splitHost(entry))
    .filter((entry): entry is { name: string; port?: string } => entry !== undefined);
  const originEntries = options.allowedOrigins ?? [];
  const anyOrigin = originEntries.includes("*");
  const allowedOrigins = new Set(originEntries.map((entry) => originOf(entry)).filter((entry): entry is string => entry !== undefined));

  const hostAllowed = (hostHeader: string): boolean => {
    const host = splitHost(hostHeader);
    if (!host) return false;
    return allowedHosts.some((entry) => entry.name === host.name && (entry.port === undefined || entry.port === host.port));
  };

  return {
    check: (request) => {
      const hostHeader = request.headers.host ?? "";
      if (!anyHost && !hostAllowed(hostHeader)) {
        throw new CairnError(
          ErrorCode.PERMISSION_DENIED,
          `Host '${hostHeader.slice(0, 200)}' is not allowed (DNS rebinding protection); start the server with --allowed-hosts to accept it`,
        );
      }
      if (!STATE_CHANGING.has(request.method) || anyOrigin) return;
      const originHeader = request.headers.origin;
      const refererHeader = request.headers.referer;
      const claimed = typeof originHeader === "string" ? originHeader : typeof refererHeader === "string" ? refererHeader : undefined;
      if (claimed === undefined) return;
      const origin = originOf(claimed);
      if (origin !== undefined && (isSameOrigin(origin, hostHeader) || allowedOrigins.has(origin))) return;
      throw new CairnError(
        ErrorCode.PERMISSION_DENIED,
        `Cross-origin ${request.method} refused: origin '${(origin ?? claimed).slice(0, 200)}' is not this server's; list it in --allowed-origins to accept it`,
      );
    },
  };
};

/** Registers the Host and Origin checks before any routing work (404s included, so nothing answers a rebound name). */
export const installRequestChecks = (app: FastifyInstance, options: RequestOriginOptions = {}): void => {
  const checks = requestChecks(options);
  app.addHook("onRequest", async (request) => checks.check(request));
};

/**
 * A state-changing request's body for a JSON route must say application/json (parameters such as charset allowed),
 * or have no content type at all (a script's bare body; a browser sending one cross-origin is stopped by the Origin
 * check). text/plain, form and multipart bodies, the content types a page may send without a CORS preflight, are a
 * 415 naming the type.
 */
export const requireJsonContentType = (request: FastifyRequest): void => {
  if (!STATE_CHANGING.has(request.method)) return;
  const header = request.headers["content-type"];
  if (header === undefined) return;
  const mediaType = header.split(";")[0]?.trim().toLowerCase() ?? "";
  if (mediaType === "application/json") return;
  throw new CairnError(
    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    `Content-Type '${header.slice(0, 100)}' is not supported: send the request body as application/json`,
  );
};
