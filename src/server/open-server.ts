import { isIP } from "node:net";
import type { ServerConfig } from "../core/config.js";
import { CairnError, ErrorCode } from "../core/errors.js";

/** Whether a listen address only accepts connections from this machine (127.0.0.0/8, ::1, localhost). */
export const isLoopbackAddress = (host: string): boolean => {
  const address = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (address === "localhost") return true;
  if (isIP(address) === 4) return address.startsWith("127.");
  if (address === "::1") return true;
  // An IPv4-mapped loopback address (::ffff:127.0.0.1).
  return /^::ffff:127\./.test(address);
};

/**
 * Without `--auth` anyone who reaches the port may change or delete anything. Listening beyond loopback therefore
 * needs `--auth`, or the operator saying so (`--insecure-no-auth`), as the "secure by default" asks.
 */
export const refuseOpenServer = (config: Pick<ServerConfig, "host" | "insecureNoAuth" | "auth">): void => {
  if (isLoopbackAddress(config.host) || config.insecureNoAuth === true || config.auth === true) return;
  throw new CairnError(
    ErrorCode.INVALID_PARAMETER_VALUE,
    `refusing to listen on '${config.host}' without --auth: anyone who can reach this address could ` +
      `change or delete every experiment, model and deployment. Pass --auth, listen on 127.0.0.1 (behind an authenticating proxy), ` +
      `or pass --insecure-no-auth to accept that risk`,
  );
};
