import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningServer } from "./start.js";
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from "./server-limits.js";
import { startServerIn } from "./test-support/temp-server.js";

/** Real servers with short limits, and raw sockets playing the slow or greedy client. */
const opened: { server: RunningServer; dir: string }[] = [];
const sockets: net.Socket[] = [];

const start = async (limits: Partial<ServerLimits>): Promise<RunningServer> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-limits-"));
  const server = await startServerIn(dir, { webUiDir: null, limits });
  opened.push({ server, dir });
  return server;
};

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const { server, dir } of opened.splice(0)) {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

interface RawClient {
  socket: net.Socket;
  /** Resolves with the ms from connect to close and everything the server sent. */
  closed: Promise<{ afterMs: number; received: string }>;
}

const connect = (url: string): Promise<RawClient> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = net.connect({ host: hostname, port: Number(port) });
    sockets.push(socket);
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("error", () => undefined);
    socket.once("error", reject);
    socket.once("connect", () => {
      const connectedAt = Date.now();
      const closed = new Promise<{ afterMs: number; received: string }>((done) => {
        socket.once("close", () => done({ afterMs: Date.now() - connectedAt, received }));
      });
      resolve({ socket, closed });
    });
  });

/** Writes one piece every everyMs until the socket closes. */
const trickle = (socket: net.Socket, pieces: readonly string[], everyMs: number): void => {
  let next = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || next >= pieces.length) {
      clearInterval(timer);
      return;
    }
    socket.write(pieces[next] ?? "");
    next += 1;
  }, everyMs);
  socket.once("close", () => clearInterval(timer));
};

const healthy = async (url: string): Promise<void> => {
  const response = await fetch(`${url}/health`);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe("OK");
};

describe("request timeouts", () => {
  it("closes a client that sends its headers slowly after the headers timeout, while a normal client is served", async () => {
    const server = await start({ headersTimeoutMs: 1000, bodyIdleTimeoutMs: 10_000 });
    const slow = await connect(server.url);
    const header = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "a".repeat(100);
    trickle(slow.socket, [...header], 200);
    await healthy(server.url);
    const { afterMs, received } = await slow.closed;
    expect(afterMs).toBeGreaterThanOrEqual(900);
    expect(afterMs).toBeLessThan(3000);
    expect(received).toMatch(/^HTTP\/1.1 408 /);
  });

  it("closes an upload whose body stalls (1 byte every 3 s) after the body-idle timeout, while a normal client is served", async () => {
    const server = await start({ bodyIdleTimeoutMs: 1000 });
    const slow = await connect(server.url);
    slow.socket.write(
      "PUT /api/2.0/mlflow-artifacts/artifacts/0/slow/file.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
        "Content-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\nx",
    );
    trickle(slow.socket, Array.from({ length: 99 }, () => "x"), 3000);
    await healthy(server.url);
    const { afterMs, received } = await slow.closed;
    expect(afterMs).toBeGreaterThanOrEqual(900);
    expect(afterMs).toBeLessThan(2900);
    expect(received).toBe("");
    // Nothing of the stalled upload was stored.
    const listed = (await (await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts?path=0/slow`)).json()) as { files?: unknown[] };
    expect(listed.files ?? []).toEqual([]);
  });

  it("keeps an upload whose bytes keep flowing for longer than the idle timeout", async () => {
    const server = await start({ bodyIdleTimeoutMs: 1000 });
    const client = await connect(server.url);
    client.socket.write(
      "PUT /api/2.0/mlflow-artifacts/artifacts/0/steady/file.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
        "Content-Type: application/octet-stream\r\nContent-Length: 10\r\n\r\n",
    );
    trickle(client.socket, [..."0123456789"], 300); // 3 s of body, never 1 s without a byte
    const { afterMs, received } = await client.closed;
    expect(afterMs).toBeGreaterThanOrEqual(2900);
    expect(received).toMatch(/^HTTP\/1.1 200 /);
    const stored = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/steady/file.bin`);
    expect(await stored.text()).toBe("0123456789");
  });

  it("closes a body trickled just fast enough to dodge the idle timeout when the request timeout passes", async () => {
    const server = await start({ bodyIdleTimeoutMs: 1000, requestTimeoutMs: 1500, headersTimeoutMs: 1500 });
    const slow = await connect(server.url);
    slow.socket.write(
      "PUT /api/2.0/mlflow-artifacts/artifacts/0/trickle/file.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
        "Content-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n",
    );
    trickle(slow.socket, Array.from({ length: 1000 }, () => "x"), 200);
    await healthy(server.url);
    const { afterMs } = await slow.closed;
    expect(afterMs).toBeGreaterThanOrEqual(1400);
    expect(afterMs).toBeLessThan(3500);
  });
});

describe("connection cap per address", () => {
  it("closes the (cap+1)th socket of one address at once and accepts again when one closes", async () => {
    const server = await start({ maxConnectionsPerAddress: 3 });
    const held = [await connect(server.url), await connect(server.url), await connect(server.url)];
    const refused = await connect(server.url);
    const { afterMs, received } = await refused.closed;
    expect(afterMs).toBeLessThan(500);
    expect(received).toBe("");
    // The held sockets still work.
    held[0]?.socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    const answered = await held[0]?.closed;
    expect(answered?.received).toMatch(/^HTTP\/1.1 200 [\s\S]*\r\n\r\nOK$/);
    // One slot is free again: a normal client gets through.
    await healthy(server.url);
    for (const client of held) client.socket.destroy();
  });

  it("has the documented defaults", () => {
    expect(DEFAULT_SERVER_LIMITS).toEqual({
      headersTimeoutMs: 30_000,
      bodyIdleTimeoutMs: 120_000,
      requestTimeoutMs: 3_600_000,
      keepAliveTimeoutMs: 72_000,
      maxConnectionsPerAddress: 256,
    });
  });
});
