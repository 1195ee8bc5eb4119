import { invalidParameter } from "../core/errors.js";
import { normalizeUsername } from "./principal.js";

export const MAX_USERNAME_LENGTH = 128;

/**
 * The one spelling of a user name: NFKC (the full-width "ａｄａ" is "ada", as governance compares approvers), trimmed,
 * lower-case. Two names that governance would take for one person can therefore never be two users.
 */
export const canonicalUsername = (raw: string): string => normalizeUsername(raw.normalize("NFKC"));

/**
 * A user name as stored: case-normalized, 1-128 characters, no colon (HTTP Basic splits user and password at the
 * first one), no whitespace or control characters (they would make audit lines and headers ambiguous).
 */
export const parseUsername = (raw: string, field = "username"): string => {
  const name = canonicalUsername(raw);
  if (name === "") throw invalidParameter(`Missing value for required parameter '${field}'.`);
  if (name.length > MAX_USERNAME_LENGTH) throw invalidParameter(`'${field}' must be at most ${MAX_USERNAME_LENGTH} characters long.`);
  // eslint-disable-next-line no-control-regex
  if (/[\s:\u0000-\u001f\u007f]/u.test(name)) {
    throw invalidParameter(`'${field}' must not contain whitespace, control characters or ':'.`);
  }
  return name;
};
