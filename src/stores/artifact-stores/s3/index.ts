import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { mkdir } from "node:fs/promises";
import type { Readable } from "node:stream";
import { CairnError, ErrorCode, invalidParameter, notFound } from "../../../core/errors.js";
import { describeS3Settings, type S3Settings } from "../../../core/s3-settings.js";
import { invalidPath, joinKeys, normaliseArtifactPath } from "../../../artifacts/artifact-path.js";
import type { ArtifactContent, ArtifactEntry, ArtifactStat, ArtifactStore, ByteRange, ByteSource, UploadedPart, WrittenFile } from "../../../artifacts/store.js";
import { MULTIPART_UPLOAD_MAX_AGE_MS, removeOrphanedEntries, TEMP_FILE_MAX_AGE_MS } from "../local/stale.js";
import { hashingBody } from "./hashing-body.js";
import { createS3Client, type S3ClientTuning } from "./s3-client.js";
import { formatS3Destination, type S3Destination } from "./s3-destination.js";
import { isS3NotFound, s3ErrorName, toS3StoreError } from "./s3-errors.js";
import { S3MultipartUploads } from "./s3-multipart.js";
import { streamedUpload } from "./s3-streamed-upload.js";

/**
 * Artifacts in an S3 bucket below a prefix. Keys map to object keys `PREFIX/key`; folders are key prefixes (S3 has
 * none of its own), so a folder exists while an object lies below it. A hidden `.cairn-staging/` below the prefix
 * holds the records of multipart uploads (the key each belongs to), shared by every server on the bucket.
 *
 * Atomicity is S3's: PutObject and CompleteMultipartUpload replace an object whole, so readers see the old bytes or
 * the new ones. The checks a folder backend gets from its file system (a file where a folder is, a file above a
 * file) are made before the write; two servers racing to create both can still win each (S3 has no transactions),
 * which leaves a key that is both a file and a folder, as MLflow's S3 repository allows.
 */
export const S3_STAGING_DIR_NAME = ".cairn-staging";

/** Objects per DeleteObjects request: S3's limit. */
const DELETE_BATCH = 1000;
/**
 * Bytes per part of a streamed write and parts in flight (as the bench's lib-storage baseline): a write holds
 * (WRITE_QUEUE + 1) x WRITE_PART_BYTES = 40 MiB of part buffers, reused for the whole upload (s3-streamed-upload.ts).
 */
const WRITE_PART_BYTES = 8 * 1024 * 1024;
const WRITE_QUEUE = 4;

export interface S3StoreOptions {
  settings: S3Settings;
  /** A local folder for multipart parts on their way to S3 (UploadPart needs each part's length first). */
  stagingDir: string;
  tuning?: S3ClientTuning;
}

const byKey = (a: ArtifactEntry, b: ArtifactEntry): number => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));

/** "bytes 2-5/10" -> its parts. */
const parseContentRange = (header: string | undefined): { start: number; end: number; size: number } | undefined => {
  const match = header === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  return match ? { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) } : undefined;
};

class S3ArtifactStore implements ArtifactStore {
  private readonly multipart: S3MultipartUploads;

  constructor(
    private readonly client: S3Client,
    private readonly destination: S3Destination,
    private readonly settings: S3Settings,
    stagingDir: string,
  ) {
    this.multipart = new S3MultipartUploads(client, destination.bucket, (key) => this.objectKey(key), joinKeys(destination.prefix, S3_STAGING_DIR_NAME, "uploads"), stagingDir);
  }

  private get bucket(): string {
    return this.destination.bucket;
  }

  /** The same checks as the folder backend: a normalised key outside the reserved staging folder. */
  private key(key: string, allowRoot: boolean): string {
    const normalised = normaliseArtifactPath(key, "path", { allowRoot });
    if (normalised !== key) throw invalidPath("path", key, "the key is not normalised");
    if (key.split("/")[0] === S3_STAGING_DIR_NAME) throw invalidPath("path", key, `'${S3_STAGING_DIR_NAME}' is reserved by the server`);
    return key;
  }

  private objectKey(key: string): string {
    return joinKeys(this.destination.prefix, key);
  }

  /** The object-key prefix of a folder's children: "PREFIX/dir/" ("" for the bucket's root). */
  private childPrefix(dirKey: string): string {
    const objectKey = this.objectKey(dirKey);
    return objectKey === "" ? "" : `${objectKey}/`;
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toS3StoreError(error, operation);
    }
  }

  /** One page of a listing; ListObjectsV2 pages hold at most 1000 keys, the continuation token fetches the next. */
  private listPage(prefix: string, delimiter: boolean, token?: string, maxKeys?: number): Promise<ListObjectsV2CommandOutput> {
    return this.call("ListObjectsV2", () =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(delimiter ? { Delimiter: "/" } : {}),
          ...(token !== undefined ? { ContinuationToken: token } : {}),
          ...(maxKeys !== undefined ? { MaxKeys: maxKeys } : {}),
        }),
      ),
    );
  }

  /** Every object key below an object-key prefix, page by page (deletes of trees of any size). */
  private async *objectsBelow(prefix: string): AsyncGenerator<{ key: string; size: number; modifiedAtMs: number }> {
    let token: string | undefined;
    do {
      const page = await this.listPage(prefix, false, token);
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) yield { key: object.Key, size: object.Size ?? 0, modifiedAtMs: object.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  private async hasChildren(dirKey: string): Promise<boolean> {
    const page = await this.listPage(this.childPrefix(dirKey), false, undefined, 1);
    return (page.KeyCount ?? page.Contents?.length ?? 0) > 0;
  }

  private async headFile(key: string): Promise<{ size: number; modifiedAtMs: number } | undefined> {
    if (key === "") return undefined;
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return { size: head.ContentLength ?? 0, modifiedAtMs: head.LastModified?.getTime() ?? 0 };
    } catch (error) {
      if (isS3NotFound(error)) return undefined;
      throw toS3StoreError(error, "HeadObject");
    }
  }

  async list(dirKey: string): Promise<ArtifactEntry[]> {
    const checked = this.key(dirKey, true);
    const prefix = this.childPrefix(checked);
    const entries: ArtifactEntry[] = [];
    const folders = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.listPage(prefix, true, token);
      for (const common of page.CommonPrefixes ?? []) {
        const name = (common.Prefix ?? "").slice(prefix.length).replace(/\/$/, "");
        if (name === "" || (checked === "" && name === S3_STAGING_DIR_NAME) || folders.has(name)) continue;
        folders.add(name);
        entries.push({ key: joinKeys(checked, name), isDir: true });
      }
      for (const object of page.Contents ?? []) {
        const name = (object.Key ?? "").slice(prefix.length);
        // A zero-byte "folder marker" some tools write ("dir/") is the folder itself, not a child.
        if (name === "") continue;
        entries.push({ key: joinKeys(checked, name), isDir: false, size: object.Size ?? 0 });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return entries.sort(byKey);
  }

  async stat(key: string): Promise<ArtifactStat | undefined> {
    const checked = this.key(key, true);
    if (checked === "") return { key, isDir: true, size: 0, modifiedAtMs: 0 };
    const file = await this.headFile(checked);
    if (file) return { key, isDir: false, size: file.size, modifiedAtMs: file.modifiedAtMs };
    return (await this.hasChildren(checked)) ? { key, isDir: true, size: 0, modifiedAtMs: 0 } : undefined;
  }

  async read(key: string, range?: ByteRange): Promise<ArtifactContent> {
    const checked = this.key(key, false);
    if (range && (range.start < 0 || range.end < range.start)) {
      throw invalidParameter(`Range ${range.start}-${range.end} is not a valid byte range of artifact '${key}'.`);
    }
    let response;
    try {
      response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(checked), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
    } catch (error) {
      if (isS3NotFound(error)) {
        if (await this.hasChildren(checked)) throw invalidPath("path", key, "it is a directory; list it or name a file below it");
        throw notFound(`Artifact '${key}' does not exist.`);
      }
      if (s3ErrorName(error) === "InvalidRange") {
        const size = (await this.headFile(checked))?.size ?? 0;
        throw invalidParameter(`Range ${range?.start ?? 0}-${range?.end ?? 0} is outside artifact '${key}' of ${size} bytes.`);
      }
      throw toS3StoreError(error, "GetObject");
    }
    const stream = response.Body as Readable;
    if (!range) return { stream, size: response.ContentLength ?? 0 };
    const served = parseContentRange(response.ContentRange);
    // S3 shortens a range that runs past the end instead of refusing it; the contract refuses it.
    if (served === undefined || served.start !== range.start || served.end !== range.end) {
      stream.destroy();
      throw invalidParameter(`Range ${range.start}-${range.end} is outside artifact '${key}' of ${served?.size ?? 0} bytes.`);
    }
    return { stream, size: served.size, range };
  }

  /** Refuses a file target where a folder is, or below a file, before any byte is received (as the folder backend). */
  private async prepareFileTarget(key: string): Promise<void> {
    const parts = key.split("/");
    const ancestors = parts.slice(0, -1).map((_, index) => parts.slice(0, index + 1).join("/"));
    const [isFolder, ...ancestorFiles] = await Promise.all([this.hasChildren(key), ...ancestors.map((ancestor) => this.headFile(ancestor))]);
    if (isFolder) throw invalidPath("path", key, "a directory exists at this path");
    if (ancestorFiles.some((file) => file !== undefined)) throw invalidPath("path", key, "a parent of this path is a file");
  }

  async write(key: string, source: ByteSource): Promise<WrittenFile> {
    const checked = this.key(key, false);
    await this.prepareFileTarget(checked);
    const hashing = hashingBody(source);
    // Whichever side fails first is the cause: the source (a client gone mid-body) or S3 (down mid-upload). The
    // upload stops reading the body as soon as an S3 call fails, so the source is no longer read either.
    let first: "source" | "s3" | undefined;
    const reading = hashing.done.catch((error: unknown) => {
      first ??= "source";
      throw error;
    });
    const sending = streamedUpload({ client: this.client, bucket: this.bucket, key: this.objectKey(checked) }, hashing.body, {
      partBytes: WRITE_PART_BYTES,
      queue: WRITE_QUEUE,
      onFailure: (side) => (first ??= side),
    }).catch((error: unknown) => {
      hashing.body.destroy();
      throw error;
    });
    const [read, sent] = await Promise.allSettled([reading, sending]);
    if (first === "s3" && sent.status === "rejected") throw toS3StoreError(sent.reason, "PutObject");
    if (read.status === "rejected") {
      // The upload finished although the source failed at its very end: what S3 holds is not what was sent.
      if (sent.status === "fulfilled") await this.deleteObjects([this.objectKey(checked)]).catch(() => undefined);
      throw read.reason;
    }
    if (sent.status === "rejected") throw toS3StoreError(sent.reason, "PutObject");
    return hashing.result();
  }

  private async deleteObjects(objectKeys: readonly string[]): Promise<void> {
    for (let index = 0; index < objectKeys.length; index += DELETE_BATCH) {
      const batch = objectKeys.slice(index, index + DELETE_BATCH);
      if (batch.length === 1) {
        await this.call("DeleteObject", () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: batch[0] })));
        continue;
      }
      const answer = await this.call("DeleteObjects", () =>
        this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })),
      );
      const failed = answer.Errors ?? [];
      if (failed.length > 0) {
        throw new CairnError(ErrorCode.TEMPORARILY_UNAVAILABLE, `The artifact store (S3) did not delete ${failed.length} object(s) (${failed[0]?.Code ?? "error"}); retry the delete.`);
      }
    }
  }

  async delete(key: string): Promise<void> {
    if (this.key(key, true) === "") {
      throw new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, "Deleting the artifact root itself is not allowed; name a path below it.");
    }
    // The file itself, then everything below the folder of the same name, a page (1000 keys) at a time so a tree
    // of any size is deleted with bounded memory.
    await this.deleteObjects([this.objectKey(key)]);
    let batch: string[] = [];
    for await (const object of this.objectsBelow(this.childPrefix(key))) {
      batch.push(object.key);
      if (batch.length === DELETE_BATCH) {
        await this.deleteObjects(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await this.deleteObjects(batch);
  }

  async createMultipartUpload(key: string): Promise<{ uploadId: string }> {
    const checked = this.key(key, false);
    await this.prepareFileTarget(checked);
    return this.multipart.create(checked);
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, source: ByteSource): Promise<{ etag: string; size: number }> {
    return this.multipart.uploadPart(this.key(key, false), uploadId, partNumber, source);
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<WrittenFile> {
    const checked = this.key(key, false);
    await this.prepareFileTarget(checked);
    return this.multipart.complete(checked, uploadId, parts);
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    await this.multipart.abort(this.key(key, false), uploadId);
  }

  /** Aborts multipart uploads idle longer than the cut-off (as the folder backend clears its staging folder). */
  removeStaleUploads(maxAgeMs: number, now?: number): Promise<number> {
    return this.multipart.removeStale(maxAgeMs, now);
  }

  async checkBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const where = formatS3Destination(this.destination);
      if (status === 404) throw new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, `--artifacts-destination ${where}: bucket '${this.bucket}' does not exist.`);
      if (status === 403 || status === 401) {
        throw new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, `--artifacts-destination ${where}: access to bucket '${this.bucket}' was denied; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`);
      }
      const cause = toS3StoreError(error, "HeadBucket");
      throw new CairnError(
        ErrorCode.INVALID_PARAMETER_VALUE,
        `--artifacts-destination ${where}: the S3 endpoint could not be reached (${JSON.stringify(describeS3Settings(this.settings))}): ${cause instanceof Error ? cause.message : String(cause)}`,
      );
    }
  }
}

/**
 * Opens the store and checks that the bucket answers (HeadBucket), so a wrong bucket, endpoint or credentials stop
 * the server at start-up with a clear message rather than failing the first upload.
 */
export type S3ArtifactStoreHandle = ArtifactStore & Pick<S3ArtifactStore, "removeStaleUploads">;

export const openS3ArtifactStore = async (destination: S3Destination, options: S3StoreOptions): Promise<S3ArtifactStoreHandle> => {
  await mkdir(options.stagingDir, { recursive: true });
  await removeOrphanedEntries(options.stagingDir, TEMP_FILE_MAX_AGE_MS);
  const client = createS3Client(options.settings, options.tuning);
  const store = new S3ArtifactStore(client, destination, options.settings, options.stagingDir);
  try {
    await store.checkBucket();
  } catch (error) {
    client.destroy();
    throw error;
  }
  // Abandoned multipart uploads go after a week, as on a folder; a failure here must not stop the server.
  await store.removeStaleUploads(MULTIPART_UPLOAD_MAX_AGE_MS).catch(() => undefined);
  return store;
};
