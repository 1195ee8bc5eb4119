import { cairnGet, cairnPost } from "../../api/http";

/** A personal access token as `tokens/list` and `tokens/create` describe it: never its secret. Times in ms. */
export interface TokenInfoWire {
  id: string;
  name: string;
  username: string;
  created_time: number;
  expiration_time?: number;
  last_used_time?: number;
  /** Set once revoked: the list keeps revoked tokens, for the record. */
  revoked_time?: number;
}

export interface CreatedToken {
  /** The secret: shown once, here, and never again (the server keeps only its hash). */
  token: string;
  token_info: TokenInfoWire;
}

/** Expiry choices offered by the page, in days; undefined: the token never expires. */
export const EXPIRY_CHOICES: readonly { days: number | undefined; label: string }[] = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: undefined, label: "Never" },
];

export const tokenKeys = {
  list: (username: string) => ["tokens", "list", username] as const,
};

/** This user's tokens, or (admins only) another user's when `username` is given. */
export const listTokens = async (username: string | undefined, signal?: AbortSignal): Promise<TokenInfoWire[]> =>
  (await cairnGet<{ tokens?: TokenInfoWire[] }>("tokens/list", { username }, signal)).tokens ?? [];

export const createToken = (name: string, expiresInDays: number | undefined): Promise<CreatedToken> =>
  cairnPost<CreatedToken>("tokens/create", expiresInDays === undefined ? { name } : { name, expires_in_days: expiresInDays });

export const revokeToken = async (id: string): Promise<void> => {
  await cairnPost<Record<string, never>>("tokens/revoke", { id });
};
