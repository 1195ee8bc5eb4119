import type { TokenInfoWire } from "../../sdk/auth-api.js";
import type { CairnClient } from "../../sdk/client.js";
import { formatTime, type CommandResult } from "../output.js";
import { parsePositiveInt } from "./view.js";

/** `cairn tokens create`: the secret is printed once; the server keeps only its hash. */
export const createToken = async (client: CairnClient, name: string, options: { expiresInDays?: string }): Promise<CommandResult> => {
  const days = options.expiresInDays === undefined ? undefined : parsePositiveInt("--expires-in-days", options.expiresInDays, 3650);
  const created = await client.auth.createToken(name, days);
  return {
    data: created,
    notice: "The token is shown once: store it now (e.g. as MLFLOW_TRACKING_TOKEN).",
    human: { kind: "message", text: created.token },
  };
};

export const listTokens = async (client: CairnClient, options: { username?: string }): Promise<CommandResult> => {
  const tokens = await client.auth.listTokens(options.username);
  const state = (token: TokenInfoWire): string =>
    token.revoked_time !== undefined ? "revoked" : token.expiration_time !== undefined && token.expiration_time <= Date.now() ? "expired" : "active";
  return {
    data: { tokens },
    human: {
      kind: "table",
      columns: ["ID", "NAME", "USER", "STATE", "CREATED (UTC)", "EXPIRES (UTC)", "LAST USED (UTC)"],
      rows: tokens.map((t) => [t.id, t.name, t.username, state(t), formatTime(t.created_time), formatTime(t.expiration_time), formatTime(t.last_used_time)]),
      empty: "No tokens.",
    },
  };
};

export const revokeToken = async (client: CairnClient, id: string): Promise<CommandResult> => {
  await client.auth.revokeToken(id);
  return { data: {}, human: { kind: "message", text: `Revoked token ${id}.` } };
};
