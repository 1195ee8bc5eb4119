import type { FastifyRequest } from "fastify";
import { Authenticator, unauthenticated } from "./authenticator.js";
import { cookieValue, parseAuthorization } from "./credentials.js";
import type { Principal } from "./principal.js";
import type { AuthStore } from "./store.js";
import { TrustedProxies, type TrustedProxyOptions } from "./trusted-proxy.js";
import { parseUsername } from "./usernames.js";

/** The UI session cookie. */
export const SESSION_COOKIE = "cairn_session";

export interface RequestAuthenticationOptions {
  authenticator: Authenticator;
  store: AuthStore;
  trustedProxy?: TrustedProxyOptions;
  /** Proxy addresses whose X-Forwarded-For / X-Forwarded-Proto are believed, even without a user header. */
  trustedProxies?: TrustedProxies;
}

/**
 * Which credential a request carries, in this order: a trusted proxy's user header (only from a proxy address), the
 * Authorization header (Basic or Bearer), the session cookie. A credential that is present but wrong is a 401; it
 * never falls back to the next kind.
 */
export class RequestAuthentication {
  readonly proxies: TrustedProxies;

  constructor(private readonly options: RequestAuthenticationOptions) {
    this.proxies = options.trustedProxies ?? new TrustedProxies(options.trustedProxy?.proxies ?? []);
  }

  get authenticator(): Authenticator {
    return this.options.authenticator;
  }

  /** The client's address, seen through trusted proxies (for throttling). */
  clientAddress(request: FastifyRequest): string {
    return this.proxies.clientAddress(request.socket.remoteAddress, request.headers["x-forwarded-for"]);
  }

  /** Whether the client reached the proxy over TLS (a trusted proxy's X-Forwarded-Proto), for the cookie's Secure. */
  viaTlsProxy(request: FastifyRequest): boolean {
    return this.proxies.includes(request.socket.remoteAddress) && request.headers["x-forwarded-proto"] === "https";
  }

  async authenticate(request: FastifyRequest): Promise<Principal> {
    const proxy = this.options.trustedProxy;
    if (proxy !== undefined && this.proxies.includes(request.socket.remoteAddress)) {
      const header = request.headers[proxy.header];
      if (typeof header === "string" && header.trim() !== "") {
        const username = parseUsername(header, proxy.header);
        const user = await this.options.store.getUser(username);
        return { username, isAdmin: user?.isAdmin ?? false, via: "proxy" };
      }
    }
    const credentials = parseAuthorization(request.headers.authorization);
    const authenticator = this.options.authenticator;
    if (credentials?.kind === "basic") return authenticator.password(credentials.username, credentials.password, this.clientAddress(request));
    if (credentials?.kind === "bearer") return authenticator.token(credentials.token);
    if (credentials?.kind === "malformed") throw unauthenticated("Unreadable Authorization header: use Basic <user:password> or Bearer <token>.");
    const cookie = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (cookie !== undefined && cookie !== "") return authenticator.session(cookie);
    throw unauthenticated("Authentication required: send HTTP Basic credentials, a Bearer access token, or sign in.");
  }
}
