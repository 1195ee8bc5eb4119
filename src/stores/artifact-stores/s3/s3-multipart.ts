import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type Part,
  type S3Client,
} from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { unlink } from "node:fs/promises";
import { invalidParameter, notFound } from "../../../core/errors.js";
import { MAX_MULTIPART_PARTS, type ByteSource, type UploadedPart, type WrittenFile } from "../../../artifacts/store.js";
import { streamToTempFile } from "../local/temp-file.js";
import { isS3NotFound, s3ErrorName, toS3StoreError } from "./s3-errors.js";

/**
 * MLflow's multipart upload mapped onto S3's. The upload id a client sees is Cairn's (32 hex digits, as the folder
 * backend's); a small record object below the staging prefix binds it to the artifact key and to S3's own upload
 * id, so every server sharing the bucket checks that a part goes to the key its upload was created for (S3 would
 * only say "no such upload"), and S3's ids (long, any characters) never travel in URLs.
 *
 * UploadPart needs each part's length before its first byte: a part is streamed to a local temporary file (hashed
 * on the way), then sent from it. S3 computes a part's ETag as the MD5 of its bytes, as the folder backend does.
 */
const UPLOAD_ID = /^[0-9a-f]{32}$/;

const unquote = (etag: string): string => etag.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1").toLowerCase();

interface UploadRecord {
  key: string;
  s3UploadId: string;
}

const isRecord = (value: unknown): value is UploadRecord =>
  typeof value === "object" && value !== null && typeof (value as UploadRecord).key === "string" && typeof (value as UploadRecord).s3UploadId === "string";

export class S3MultipartUploads {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly objectKey: (key: string) => string,
    /** Object-key prefix of the upload records, e.g. "PREFIX/.cairn-staging/uploads". */
    private readonly recordsPrefix: string,
    private readonly tempDir: string,
  ) {}

  private recordKey(uploadId: string): string {
    return `${this.recordsPrefix}/${uploadId}.json`;
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (s3ErrorName(error) === "NoSuchUpload") throw notFound("Multipart upload does not exist in the artifact store (it was completed, aborted, or expired).");
      throw toS3StoreError(error, operation);
    }
  }

  async create(key: string): Promise<{ uploadId: string }> {
    const created = await this.call("CreateMultipartUpload", () => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.objectKey(key) })));
    const uploadId = randomUUID().replaceAll("-", "");
    const record: UploadRecord = { key, s3UploadId: created.UploadId ?? "" };
    await this.call("PutObject", () =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.recordKey(uploadId), Body: JSON.stringify(record), ContentType: "application/json" })),
    );
    return { uploadId };
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, source: ByteSource): Promise<{ etag: string; size: number }> {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_MULTIPART_PARTS) {
      throw invalidParameter(`Invalid value ${partNumber} for parameter 'part_number' supplied: must be an integer between 1 and ${MAX_MULTIPART_PARTS}.`);
    }
    const record = await this.record(key, uploadId);
    const temp = await streamToTempFile(source, this.tempDir, { sync: false });
    try {
      const sent = await this.call("UploadPart", () =>
        this.client.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: this.objectKey(key),
            UploadId: record.s3UploadId,
            PartNumber: partNumber,
            ContentLength: temp.size,
            Body: createReadStream(temp.path, { highWaterMark: 1024 * 1024 }),
          }),
        ),
      );
      return { etag: `"${unquote(sent.ETag ?? "")}"`, size: temp.size };
    } finally {
      await unlink(temp.path).catch(() => undefined);
    }
  }

  async complete(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<WrittenFile> {
    const record = await this.record(key, uploadId);
    if (parts.length === 0) throw invalidParameter("Missing value for required parameter 'parts': a multipart upload needs at least one part.");
    const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    const uploaded = await this.listParts(key, record);
    const chosen: { PartNumber: number; ETag: string }[] = [];
    let size = 0;
    for (let index = 0; index < ordered.length; index += 1) {
      const part = ordered[index] as UploadedPart;
      if (index > 0 && (ordered[index - 1] as UploadedPart).partNumber === part.partNumber) {
        throw invalidParameter(`Invalid value ${part.partNumber} for parameter 'parts.part_number' supplied: listed more than once.`);
      }
      const stored = uploaded.get(part.partNumber);
      if (stored === undefined) throw invalidParameter(`Part ${part.partNumber} of multipart upload '${uploadId}' was never uploaded.`);
      const actual = unquote(stored.ETag ?? "");
      if (part.etag !== undefined && part.etag !== "" && unquote(part.etag) !== actual) {
        throw invalidParameter(`ETag ${JSON.stringify(part.etag)} of part ${part.partNumber} does not match the uploaded part ("${actual}").`);
      }
      chosen.push({ PartNumber: part.partNumber, ETag: stored.ETag ?? "" });
      size += stored.Size ?? 0;
    }
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: this.objectKey(key), UploadId: record.s3UploadId, MultipartUpload: { Parts: chosen } }),
      );
    } catch (error) {
      // S3 refuses parts below 5 MiB but the last: the client's choice of part size, so a 400 naming the rule.
      if (s3ErrorName(error) === "EntityTooSmall") {
        throw invalidParameter(`Multipart upload '${uploadId}': every part but the last must be at least 5 MiB for this artifact store (S3).`);
      }
      if (s3ErrorName(error) === "NoSuchUpload") throw notFound(`Multipart upload '${uploadId}' does not exist (it was completed, aborted, or never created).`);
      throw toS3StoreError(error, "CompleteMultipartUpload");
    }
    await this.forget(uploadId);
    return { size };
  }

  async abort(key: string, uploadId: string): Promise<void> {
    const record = await this.record(key, uploadId);
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.objectKey(key), UploadId: record.s3UploadId }));
    } catch (error) {
      // Already gone in S3 (a lifecycle rule, an earlier abort that did not reach the record): forget it all the same.
      if (s3ErrorName(error) !== "NoSuchUpload") throw toS3StoreError(error, "AbortMultipartUpload");
    }
    await this.forget(uploadId);
  }

  /**
   * Aborts the uploads whose record is older than the cut-off (a client that never completed nor aborted), so their
   * parts stop costing storage; returns how many went. Replicas may run this at once: an upload aborted twice is
   * simply gone. Records are listed a page at a time.
   */
  async removeStale(maxAgeMs: number, now: number = Date.now()): Promise<number> {
    let removed = 0;
    let token: string | undefined;
    do {
      const page = await this.call("ListObjectsV2", () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.recordsPrefix}/`, ...(token !== undefined ? { ContinuationToken: token } : {}) })),
      );
      for (const object of page.Contents ?? []) {
        const uploadId = /([0-9a-f]{32})\.json$/.exec(object.Key ?? "")?.[1];
        if (uploadId === undefined || now - (object.LastModified?.getTime() ?? now) <= maxAgeMs) continue;
        const record = await this.readRecord(uploadId).catch(() => undefined);
        if (record !== undefined) await this.abort(record.key, uploadId).catch(() => undefined);
        else await this.forget(uploadId).catch(() => undefined);
        removed += 1;
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return removed;
  }

  private async forget(uploadId: string): Promise<void> {
    await this.call("DeleteObject", () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.recordKey(uploadId) })));
  }

  /** Every uploaded part, by number (ListParts pages hold at most 1000). */
  private async listParts(key: string, record: UploadRecord): Promise<Map<number, Part>> {
    const parts = new Map<number, Part>();
    let marker: string | undefined;
    for (;;) {
      const page = await this.call("ListParts", () =>
        this.client.send(
          new ListPartsCommand({ Bucket: this.bucket, Key: this.objectKey(key), UploadId: record.s3UploadId, ...(marker !== undefined ? { PartNumberMarker: marker } : {}) }),
        ),
      );
      for (const part of page.Parts ?? []) if (part.PartNumber !== undefined) parts.set(part.PartNumber, part);
      if (page.IsTruncated !== true || page.NextPartNumberMarker === undefined) return parts;
      marker = page.NextPartNumberMarker;
    }
  }

  /** The record of an upload that exists and belongs to this key. */
  private async record(key: string, uploadId: string): Promise<UploadRecord> {
    if (!UPLOAD_ID.test(uploadId)) {
      throw invalidParameter(`Invalid value ${JSON.stringify(uploadId.slice(0, 100))} for parameter 'upload_id' supplied: not an upload id of this server.`);
    }
    const recorded = await this.readRecord(uploadId);
    if (recorded.key !== key) throw invalidParameter(`Multipart upload '${uploadId}' belongs to another path than '${key}'.`);
    return recorded;
  }

  private async readRecord(uploadId: string): Promise<UploadRecord> {
    let recorded: unknown;
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.recordKey(uploadId) }));
      recorded = JSON.parse((await answer.Body?.transformToString("utf8")) ?? "");
    } catch (error) {
      if (isS3NotFound(error) || error instanceof SyntaxError) {
        throw notFound(`Multipart upload '${uploadId}' does not exist (it was completed, aborted, or never created).`);
      }
      throw toS3StoreError(error, "GetObject");
    }
    if (!isRecord(recorded)) throw notFound(`Multipart upload '${uploadId}' does not exist (its record is unreadable).`);
    return recorded;
  }
}
