import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { invalidParameter, notFound } from "../../../core/errors.js";
import { MAX_MULTIPART_PARTS, type ByteSource, type UploadedPart } from "../../../artifacts/store.js";
import { commitTempFile, streamToTempFile, type TempFile } from "./temp-file.js";

/**
 * Multipart uploads on a folder, with S3's semantics so that clients see one behaviour across backends: an upload
 * belongs to one key, parts are numbered 1..10000 and may arrive in any order (re-sending a number replaces the
 * part), completion concatenates the listed parts in part-number order and checks their ETags (MD5 of the part, as
 * S3 computes them for unencrypted single-part objects).
 * Layout: uploads/<upload_id>/upload.json ({key}), uploads/<upload_id>/<part_number> and <part_number>.etag.
 */
const UPLOAD_ID = /^[0-9a-f]{32}$/;

const unquote = (etag: string): string => etag.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");

export class LocalMultipartUploads {
  constructor(
    private readonly uploadsDir: string,
    private readonly tempDir: string,
  ) {}

  async create(key: string): Promise<{ uploadId: string }> {
    const uploadId = randomUUID().replaceAll("-", "");
    const dir = path.join(this.uploadsDir, uploadId);
    await mkdir(dir);
    await writeFile(path.join(dir, "upload.json"), JSON.stringify({ key }));
    return { uploadId };
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, source: ByteSource): Promise<{ etag: string; size: number }> {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_MULTIPART_PARTS) {
      throw invalidParameter(`Invalid value ${partNumber} for parameter 'part_number' supplied: must be an integer between 1 and ${MAX_MULTIPART_PARTS}.`);
    }
    const dir = await this.uploadDir(key, uploadId);
    const temp = await streamToTempFile(source, this.tempDir, { md5: true });
    // The ETag is recorded beside the part so completion checks it without reading the part twice.
    await writeFile(path.join(dir, `${partNumber}.etag`), temp.md5 ?? "");
    await commitTempFile(temp.path, path.join(dir, String(partNumber)));
    return { etag: `"${temp.md5 ?? ""}"`, size: temp.size };
  }

  /** Writes the concatenation of the listed parts to a temporary file and returns it; the parts stay until forget. */
  async assemble(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<TempFile> {
    const dir = await this.uploadDir(key, uploadId);
    if (parts.length === 0) throw invalidParameter("Missing value for required parameter 'parts': a multipart upload needs at least one part.");
    const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    for (let index = 0; index < ordered.length; index += 1) {
      const part = ordered[index] as UploadedPart;
      if (index > 0 && (ordered[index - 1] as UploadedPart).partNumber === part.partNumber) {
        throw invalidParameter(`Invalid value ${part.partNumber} for parameter 'parts.part_number' supplied: listed more than once.`);
      }
      const partPath = path.join(dir, String(part.partNumber));
      const exists = await stat(partPath).then(() => true, () => false);
      if (!exists) {
        throw invalidParameter(`Part ${part.partNumber} of multipart upload '${uploadId}' was never uploaded.`);
      }
      if (part.etag !== undefined && part.etag !== "") {
        const actual = (await readFile(`${partPath}.etag`, "utf8")).toLowerCase();
        if (unquote(part.etag).toLowerCase() !== actual) {
          throw invalidParameter(`ETag ${JSON.stringify(part.etag)} of part ${part.partNumber} does not match the uploaded part ("${actual}").`);
        }
      }
    }
    async function* concatenated(): AsyncGenerator<Uint8Array> {
      for (const part of ordered) {
        for await (const chunk of createReadStream(path.join(dir, String(part.partNumber)), { highWaterMark: 1024 * 1024 })) {
          yield chunk as Buffer;
        }
      }
    }
    return streamToTempFile(concatenated(), this.tempDir);
  }

  async forget(uploadId: string): Promise<void> {
    await rm(path.join(this.uploadsDir, uploadId), { recursive: true, force: true });
  }

  async abort(key: string, uploadId: string): Promise<void> {
    await this.uploadDir(key, uploadId);
    await this.forget(uploadId);
  }

  /** The folder of an upload that exists and belongs to this key. */
  private async uploadDir(key: string, uploadId: string): Promise<string> {
    if (!UPLOAD_ID.test(uploadId)) {
      throw invalidParameter(`Invalid value ${JSON.stringify(uploadId)} for parameter 'upload_id' supplied: not an upload id of this server.`);
    }
    const dir = path.join(this.uploadsDir, uploadId);
    let recorded: unknown;
    try {
      recorded = JSON.parse(await readFile(path.join(dir, "upload.json"), "utf8"));
    } catch {
      throw notFound(`Multipart upload '${uploadId}' does not exist (it was completed, aborted, or never created).`);
    }
    if (typeof recorded !== "object" || recorded === null || (recorded as { key?: unknown }).key !== key) {
      throw invalidParameter(`Multipart upload '${uploadId}' belongs to another path than '${key}'.`);
    }
    return dir;
  }
}
