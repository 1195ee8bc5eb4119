import { TextDecoder } from "node:util";

/** What a request's Authorization header claims. */
export type Credentials =
  | { kind: "basic"; username: string; password: string }
  | { kind: "bearer"; token: string }
  /** Present but unreadable (another scheme, bad base64, no colon): a 401, never "anonymous". */
  | { kind: "malformed" };

/** Longest Authorization header read: a 1024-character password in base64 plus the user name fits in 2 KiB. */
const MAX_AUTHORIZATION_LENGTH = 4096;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The user:password of Basic. curl and browsers send UTF-8; python requests (MLflow's client, HTTPBasicAuth) encodes
 * str credentials as latin-1. Strict UTF-8 first, else latin-1: `é` arrives right from both.
 */
const decodeBasic = (encoded: string): string | undefined => {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  const bytes = Buffer.from(encoded, "base64");
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes.toString("latin1");
  }
};

export const parseAuthorization = (header: string | undefined): Credentials | undefined => {
  if (header === undefined || header.trim() === "") return undefined;
  if (header.length > MAX_AUTHORIZATION_LENGTH) return { kind: "malformed" };
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
  if (!match) return { kind: "malformed" };
  const scheme = (match[1] ?? "").toLowerCase();
  const value = match[2] ?? "";
  if (scheme === "bearer") return { kind: "bearer", token: value };
  if (scheme !== "basic") return { kind: "malformed" };
  const decoded = decodeBasic(value);
  const colon = decoded?.indexOf(":") ?? -1;
  if (decoded === undefined || colon < 0) return { kind: "malformed" };
  return { kind: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
};

/** One cookie's value from a Cookie header (the first when repeated); undefined when absent. */
export const cookieValue = (header: string | undefined, name: string): string | undefined => {
  if (header === undefined || header.length > 16_384) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
};
