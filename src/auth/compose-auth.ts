import type { AuditRecorder } from "../audit/recorder.js";
import type { Clock } from "../core/clock.js";
import type { DomainRoutes } from "../server/app.js";
import type { AppAuthentication } from "./authenticate-hook.js";
import { Authenticator } from "./authenticator.js";
import { CredentialCache } from "./credential-cache.js";
import { LoginThrottle, type ThrottleOptions } from "./login-throttle.js";
import type { ScryptParams } from "./password-hash.js";
import { RequestAuthentication } from "./request-authentication.js";
import { sessionRoutes } from "./session-routes.js";
import type { AuthStore } from "./store.js";
import { tokenRoutes } from "./token-routes.js";
import { TokenService } from "./token-service.js";
import { TrustedProxies } from "./trusted-proxy.js";
import { userListRoutes, userRoutes, type UserPermissionsOf } from "./user-routes.js";
import { UserService } from "./user-service.js";

export interface AuthComposeOptions {
  /** `--auth`: require credentials on every route but the public ones. */
  enabled: boolean;
  /** `--secure-cookies`. */
  secureCookies?: boolean;
  /** `--trusted-proxy-header` (any case). */
  trustedProxyHeader?: string;
  /** `--trusted-proxies`: addresses and CIDR ranges. */
  trustedProxies?: readonly string[];
  clock?: Clock;
  /** Verified Basic credentials are cached this long (default 30 s; 0: no cache). */
  credentialCacheTtlMs?: number;
  throttle?: Partial<ThrottleOptions>;
  scrypt?: ScryptParams;
  /** The permissions domain's lists for MLflow's users/get. */
  userPermissions?: UserPermissionsOf;
}

export interface ComposedAuth {
  /** The routes: whoami always; with auth on, sign-in/out, tokens and MLflow's user endpoints. */
  domain: DomainRoutes;
  /** For buildApp's `auth` option; undefined with auth off. */
  authentication?: AppAuthentication;
  users: UserService;
  authenticator?: Authenticator;
}

export const composeAuth = (store: AuthStore, audit: AuditRecorder, options: AuthComposeOptions): ComposedAuth => {
  const cache = new CredentialCache({ ttlMs: options.credentialCacheTtlMs ?? 30_000, maxEntries: 10_000, ...(options.clock ? { now: options.clock } : {}) });
  const users = new UserService(store, {
    audit,
    cache,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.scrypt ? { scrypt: options.scrypt } : {}),
  });
  const secureCookies = options.secureCookies === true;
  if (!options.enabled) return { domain: { plugin: sessionRoutes(undefined, { secureCookies }) }, users };

  const authenticator = new Authenticator(store, {
    cache,
    throttle: new LoginThrottle({ ...options.throttle, ...(options.clock ? { now: options.clock } : {}) }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const proxies = new TrustedProxies(options.trustedProxies ?? []);
  const request = new RequestAuthentication({
    authenticator,
    store,
    trustedProxies: proxies,
    ...(options.trustedProxyHeader ? { trustedProxy: { header: options.trustedProxyHeader.toLowerCase(), proxies: options.trustedProxies ?? [] } } : {}),
  });
  const tokens = new TokenService(store, { audit, ...(options.clock ? { clock: options.clock } : {}) });
  return {
    domain: {
      endpoints: userRoutes(users, options.userPermissions),
      cairnEndpoints: [...tokenRoutes(tokens), ...userListRoutes(users)],
      plugin: sessionRoutes(request, { secureCookies }),
    },
    authentication: { authenticate: (req) => request.authenticate(req) },
    users,
    authenticator,
  };
};
