import { readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";

/**
 * What s3rver 3.7.1 lacks that the S3 store uses, served in front of its router (test support only; real S3,
 * MinIO and Ceph implement all of it):
 *  - ListObjectsV2: s3rver encrypts its continuation tokens with DES, which OpenSSL 3 (Node 20) no longer offers,
 *    so any listing of more than one page fails with a 500; and its delimiter walk does not descend into folders
 *    below the first level, so a folder holding only sub-folders lists as empty. Here the keys below the prefix are
 *    grouped by the delimiter and paged with a token that is the last key or common prefix, base64url-encoded.
 *  - ListParts (GET ?uploadId) and AbortMultipartUpload (DELETE ?uploadId): answered MethodNotAllowed by s3rver.
 * Both read s3rver's own folder layout (objects and multipart parts on disk).
 */
interface S3rverObject {
  key: string;
  metadata: Record<string, string>;
}
interface S3rverStore {
  listObjects(
    bucket: string,
    options: { prefix?: string; delimiter?: string; startAfter?: string; maxKeys: number },
  ): Promise<{ objects: S3rverObject[]; commonPrefixes: string[]; isTruncated: boolean }>;
}
export interface KoaLikeContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  type: string;
}
export type KoaLikeMiddleware = (ctx: KoaLikeContext, next: () => Promise<void>) => Promise<void>;

const xml = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const queryString = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

const uploadsDir = (root: string, bucket: string): string => path.join(root, bucket, "._S3rver_uploads");

const send = (ctx: KoaLikeContext, status: number, body: string): void => {
  ctx.status = status;
  ctx.type = "application/xml";
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
};

const noSuchUpload = (ctx: KoaLikeContext, uploadId: string): void =>
  send(ctx, 404, `<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message><UploadId>${xml(uploadId)}</UploadId></Error>`);

const listObjectsV2 = async (ctx: KoaLikeContext, store: S3rverStore, bucket: string): Promise<void> => {
  const prefix = queryString(ctx.query.prefix) ?? "";
  const delimiter = queryString(ctx.query.delimiter) ?? "";
  const maxKeys = Math.min(1000, Number(queryString(ctx.query["max-keys"]) ?? 1000));
  const token = queryString(ctx.query["continuation-token"]);
  const after = token !== undefined ? Buffer.from(token, "base64url").toString("utf8") : (queryString(ctx.query["start-after"]) ?? "");
  // Every key below the prefix (s3rver's own delimiter walk misses keys two levels down), grouped here.
  const all = await store.listObjects(bucket, { ...(prefix !== "" ? { prefix } : {}), maxKeys: Number.POSITIVE_INFINITY });
  const contents: S3rverObject[] = [];
  const prefixes: string[] = [];
  let last = "";
  let isTruncated = false;
  for (const object of all.objects.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)))) {
    // Past the token: after it in key order, and not inside a common prefix already returned.
    if (object.key <= after || (after.endsWith(delimiter) && delimiter !== "" && object.key.startsWith(after))) continue;
    const cut = delimiter === "" ? -1 : object.key.indexOf(delimiter, prefix.length);
    const item = cut === -1 ? object.key : object.key.slice(0, cut + delimiter.length);
    if (item === last) continue;
    if (contents.length + prefixes.length === maxKeys) {
      isTruncated = true;
      break;
    }
    if (cut === -1) contents.push(object);
    else prefixes.push(item);
    last = item;
  }
  const body = contents
    .map((object) => {
      const size = object.metadata["content-length"] ?? "0";
      const modified = new Date(object.metadata["last-modified"] ?? Date.now()).toISOString();
      return `<Contents><Key>${xml(object.key)}</Key><LastModified>${modified}</LastModified><ETag>${xml(object.metadata.etag ?? "")}</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join("");
  const common = prefixes.map((entry) => `<CommonPrefixes><Prefix>${xml(entry)}</Prefix></CommonPrefixes>`).join("");
  const next = isTruncated ? `<NextContinuationToken>${Buffer.from(last).toString("base64url")}</NextContinuationToken>` : "";
  send(
    ctx,
    200,
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${contents.length + prefixes.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${isTruncated}</IsTruncated>${next}${body}${common}</ListBucketResult>`,
  );
};

const listParts = async (ctx: KoaLikeContext, root: string, bucket: string, key: string, uploadId: string): Promise<void> => {
  const dir = path.join(uploadsDir(root, bucket), path.basename(uploadId));
  const recorded = await readFile(path.join(dir, "key"), "utf8").catch(() => undefined);
  if (recorded !== key) return noSuchUpload(ctx, uploadId);
  const numbers = (await readdir(dir)).filter((name) => /^\d+$/.test(name)).map(Number).sort((a, b) => a - b);
  const parts = await Promise.all(
    numbers.map(async (number) => {
      const info = await stat(path.join(dir, String(number)));
      const md5 = await readFile(path.join(dir, `${number}.md5`), "utf8").catch(() => "");
      return `<Part><PartNumber>${number}</PartNumber><LastModified>${info.mtime.toISOString()}</LastModified><ETag>"${md5}"</ETag><Size>${info.size}</Size></Part>`;
    }),
  );
  send(
    ctx,
    200,
    `<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${xml(bucket)}</Bucket><Key>${xml(key)}</Key><UploadId>${xml(uploadId)}</UploadId><IsTruncated>false</IsTruncated>${parts.join("")}</ListPartsResult>`,
  );
};

const abortUpload = async (ctx: KoaLikeContext, root: string, bucket: string, key: string, uploadId: string): Promise<void> => {
  const dir = path.join(uploadsDir(root, bucket), path.basename(uploadId));
  const recorded = await readFile(path.join(dir, "key"), "utf8").catch(() => undefined);
  if (recorded !== key) return noSuchUpload(ctx, uploadId);
  await rm(dir, { recursive: true, force: true });
  ctx.status = 204;
  ctx.body = null;
};

export const s3rverGaps =
  (root: string, store: S3rverStore): KoaLikeMiddleware =>
  async (ctx, next) => {
    const [, bucketPart = "", ...keyParts] = ctx.path.split("/");
    const bucket = decodeURIComponent(bucketPart);
    const key = keyParts.map(decodeURIComponent).join("/");
    const uploadId = queryString(ctx.query.uploadId);
    if (ctx.method === "GET" && key === "" && bucket !== "" && queryString(ctx.query["list-type"]) === "2") return listObjectsV2(ctx, store, bucket);
    if (ctx.method === "GET" && key !== "" && uploadId !== undefined) return listParts(ctx, root, bucket, key, uploadId);
    if (ctx.method === "DELETE" && key !== "" && uploadId !== undefined) return abortUpload(ctx, root, bucket, key, uploadId);
    return next();
  };
