import type { Server, Socket } from "node:net";

/**
 * Limits on connections and on how long a client may take to send a request: without them a client that opens
 * thousands of sockets and sends one byte every few seconds holds every file descriptor of the process.
 *
 * Node's timers, as Cairn sets them (all in milliseconds, 0 disables one):
 * - headersTimeout: the request line and headers must arrive within it (slow-header attacks);
 * - bodyIdleTimeout: a socket with no byte in either direction for this long is closed (node's server.timeout). A
 *   large artifact upload is never cut while bytes keep flowing; it also ends a stalled download and an idle socket;
 * - requestTimeout: the whole request (headers and body) must arrive within it. It bounds a body trickled just fast
 *   enough to dodge the idle timeout, so it is generous: an upload that needs longer needs a larger value;
 * - keepAliveTimeout: how long an idle keep-alive socket waits for the client's next request.
 * Once a request has arrived, only the idle timeout applies while it is processed.
 */
export interface ServerLimits {
  headersTimeoutMs: number;
  bodyIdleTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Open sockets allowed per remote address; the next one is closed at once. 0: no cap. */
  maxConnectionsPerAddress: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 30_000,
  bodyIdleTimeoutMs: 120_000,
  requestTimeoutMs: 3_600_000,
  // fastify's default, kept: MLflow clients reuse pooled connections.
  keepAliveTimeoutMs: 72_000,
  maxConnectionsPerAddress: 256,
};

/** The node HTTP server settings the limits map onto (http.Server has them all). */
interface TimedServer extends Server {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  setTimeout(msecs: number): this;
}

/**
 * Applies the limits to a server that is not listening yet. Node checks headersTimeout and requestTimeout every
 * checkIntervalMs (its default, 30 s, would let a short timeout run 30 s late), so the check runs at a fraction of
 * the shortest of them.
 */
export const applyServerLimits = (server: TimedServer, limits: ServerLimits): void => {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.setTimeout(limits.bodyIdleTimeoutMs);
  const checked = [limits.headersTimeoutMs, limits.requestTimeoutMs].filter((ms) => ms > 0);
  if (checked.length > 0) {
    (server as TimedServer & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
      100,
      Math.min(30_000, Math.floor(Math.min(...checked) / 4)),
    );
  }
  if (limits.maxConnectionsPerAddress > 0) capConnectionsPerAddress(server, limits.maxConnectionsPerAddress);
};

/** Closes a new socket when its remote address already holds `cap` open ones. */
const capConnectionsPerAddress = (server: Server, cap: number): void => {
  const open = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    const count = open.get(address) ?? 0;
    if (count >= cap) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once("close", () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
};
