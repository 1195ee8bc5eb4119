import { ADMIN, basic, startAuthServer } from "../../../src/auth/test-support/auth-server.js";
import type { RunningServer } from "../../../src/server/start.js";
import { defaultWebUiDir } from "../../../src/server/web-ui.js";

export { ADMIN, basic };

export type AuthServer = RunningServer & { dir: string };

/** A real server with `--auth` (admin root bootstrapped) that serves the built UI, as the e2e tests need. */
export const startSignInServer = (): Promise<AuthServer> => {
  const webUiDir = process.env.CAIRN_WEB_UI_DIR ?? defaultWebUiDir();
  if (webUiDir === undefined) throw new Error("No built UI: run `npm run build` first");
  return startAuthServer({ webUiDir });
};

/** One JSON call to the API as the admin (HTTP Basic); throws with the answer unless it is a 2xx. */
export const asAdmin = async <T>(server: AuthServer, method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> => {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: basic(ADMIN.username, ADMIN.password), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
};
