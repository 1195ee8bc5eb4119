import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ServerConfig } from "../../core/config.js";
import type { RunningServer } from "../../server/start.js";
import { startServerIn } from "../../server/test-support/temp-server.js";

export const ADMIN = { username: "root", password: "root-password-0001" };

/** A real server with `--auth` over a fresh SQLite file, its first admin bootstrapped as CAIRN_ADMIN_* would. */
export const startAuthServer = async (config: Partial<ServerConfig> = {}): Promise<RunningServer & { dir: string }> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-auth-"));
  const server = await startServerIn(dir, { auth: true, adminBootstrap: ADMIN, webUiDir: null, ...config });
  return {
    ...server,
    dir,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

export const basic = (username: string, password: string, encoding: BufferEncoding = "utf8"): string =>
  `Basic ${Buffer.from(`${username}:${password}`, encoding).toString("base64")}`;

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** One JSON call; `body` is sent as application/json. */
export const call = async (
  base: string,
  method: string,
  pathName: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> => {
  const response = await fetch(`${base}${pathName}`, {
    method,
    headers: { ...(options.body === undefined ? {} : { "content-type": "application/json" }), ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = {};
  }
  return { status: response.status, headers: response.headers, body, text };
};
