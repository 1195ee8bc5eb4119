import { CairnError, ErrorCode } from "../core/errors.js";

/**
 * Normalises an artifact path that came from a client and confines it lexically to the artifact root.
 *
 * MLflow shipped path traversal through exactly these routes several times (CVE-2023-1177, CVE-2023-2780,
 * CVE-2023-6015, CVE-2024-1558), mostly because paths were decoded a different number of times by the check and by
 * the use. Cairn's rule: a path is percent-decoded EXACTLY ONCE, by the HTTP layer, and this function checks that
 * decoded string, which is then used as is (never decoded again, by Cairn or by a backend):
 *  - URL path tails: fastify's router (find-my-way) decodes the request path once before matching (decodeURI, which
 *    keeps reserved escapes such as %2F and re-encodes %25 so it is not decoded twice), then decodes the reserved
 *    escapes of the wildcard parameter once (safeDecodeURIComponent). Net effect: every escape is decoded once, so
 *    "%2e%2e%2f" arrives here as "../" and "%252e%252e%252f" arrives as "%2e%2e%2f".
 *  - Query and JSON fields: the query parser decodes once; JSON bodies are not percent-decoded at all.
 * Because something downstream (a proxy, an S3 gateway, a client building a URL) might decode again, a path that
 * still holds an escape of '.', '/', '\', '%' or a control character after that one decode is a double-encoding
 * attempt and is refused rather than trusted.
 *
 * The filesystem backend repeats the check after realpath (symbolic links), see stores/artifact-stores/local.
 */
export const MAX_ARTIFACT_PATH_LENGTH = 1024;
/** NAME_MAX of Linux and macOS file systems, and far above any S3 key segment a client sends. */
export const MAX_ARTIFACT_SEGMENT_BYTES = 255;

/** True when the text holds a C0 control character or DEL (never legitimate in a path or a URI a client sends). */
export const hasControlCharacter = (path: string): boolean => {
  for (let index = 0; index < path.length; index += 1) {
    const code = path.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
};
const DANGEROUS_ESCAPE = /%(2e|2f|5c|25|[01][0-9a-f]|7f)/i;
const WINDOWS_DRIVE = /^[a-zA-Z]:/;

const shownPath = (path: string): string =>
  JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}...` : path);

export const invalidPath = (field: string, path: string, reason: string): CairnError =>
  new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, `Invalid path ${shownPath(path)} for parameter '${field}': ${reason}.`);

export interface NormaliseOptions {
  /** Whether "" (the root itself) is acceptable; true for listing, false for files. */
  allowRoot?: boolean;
}

/**
 * Returns the normalised key: segments joined by "/", without empty or "." segments, no leading or trailing
 * slash; "" for the root. Throws INVALID_PARAMETER_VALUE naming the field, the path and the rule it broke.
 */
export const normaliseArtifactPath = (path: string, field: string, options: NormaliseOptions = {}): string => {
  if (path.length > MAX_ARTIFACT_PATH_LENGTH) {
    throw invalidPath(field, path, `longer than the limit of ${MAX_ARTIFACT_PATH_LENGTH} characters`);
  }
  if (path.includes("\0")) throw invalidPath(field, path, "NUL bytes are not allowed");
  if (hasControlCharacter(path)) throw invalidPath(field, path, "control characters are not allowed");
  if (DANGEROUS_ESCAPE.test(path)) {
    throw invalidPath(field, path, "percent-encoded '.', '/', '\\', '%' or control characters remain after decoding once (double encoding)");
  }
  if (path.includes("\\")) throw invalidPath(field, path, "backslashes are not allowed; use '/' as the separator");
  if (WINDOWS_DRIVE.test(path)) throw invalidPath(field, path, "Windows drive letters are not allowed");
  if (path.startsWith("/")) throw invalidPath(field, path, "absolute paths are not allowed; give a path relative to the artifact root");
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") throw invalidPath(field, path, "'..' segments are not allowed");
    if (Buffer.byteLength(segment) > MAX_ARTIFACT_SEGMENT_BYTES) {
      throw invalidPath(field, path, `a segment is longer than the limit of ${MAX_ARTIFACT_SEGMENT_BYTES} bytes`);
    }
    segments.push(segment);
  }
  const key = segments.join("/");
  if (key === "" && !options.allowRoot) throw invalidPath(field, path, "the path must name a file below the artifact root");
  return key;
};

/** Joins normalised keys; either side may be "". */
export const joinKeys = (...keys: readonly string[]): string => keys.filter((key) => key !== "").join("/");

export const baseName = (key: string): string => key.slice(key.lastIndexOf("/") + 1);
