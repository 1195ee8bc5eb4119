import { Readable } from "node:stream";
import type { WriteContext } from "../core/actor.js";
import { CairnError, ErrorCode, invalidParameter } from "../core/errors.js";
import { noAudit, type AuditRecorder } from "../audit/recorder.js";
import type { FileInfo } from "../protocol/mlflow/entities.js";
import { baseName, invalidPath, joinKeys, normaliseArtifactPath } from "./artifact-path.js";
import { storeKeyOfArtifactUri } from "./artifact-uri.js";
import { attachmentDisposition, guessMimeType } from "./mime-type.js";
import type { Admission, ArtifactQuotas } from "./upload-quota.js";
import { MAX_MULTIPART_PARTS, type ArtifactEntry, type ArtifactStore, type ByteRange, type ByteSource, type UploadedPart, type WrittenFile } from "./store.js";

/**
 * The rules of the artifacts domain: every client path is normalised and confined here before the store sees it,
 * responses take MLflow's shapes, and run artifact roots are resolved through the tracking service.
 */
export interface ArtifactServiceOptions {
  /** The tracking service's answer, e.g. mlflow-artifacts:/0/<run_id>/artifacts; RESOURCE_DOES_NOT_EXIST if none. */
  resolveRunArtifactUri: (runId: string) => Promise<string>;
  /** Where uploads and deletes are reported (default: nowhere). */
  audit?: AuditRecorder;
  /**
   * A smaller size limit for some keys (a trace's traces.json): the upload is refused with a 413 naming the limit,
   * and nothing is stored. Undefined for keys without one (artifacts are otherwise unbounded, as in MLflow).
   */
  uploadLimit?: (key: string) => UploadLimit | undefined;
  /** Per-file and per-experiment upload quotas (upload-quota.ts); none: unbounded, as in MLflow. */
  quotas?: ArtifactQuotas;
  /** The registry's pins on registered versions' files (see registry/integrity); absent: nothing is pinned. */
  integrity?: ArtifactIntegrity;
}

/**
 * What the artifact API asks before it serves or changes a file: a download of a pinned file whose bytes changed, and
 * an upload or delete that would change pinned files, are refused (each throws the error to answer).
 */
export interface ArtifactIntegrity {
  checkDownload(key: string, ctx: WriteContext): Promise<void>;
  checkChange(key: string, action: "upload" | "delete", ctx: WriteContext): Promise<void>;
}

export interface UploadLimit {
  maxBytes: number;
  /** Names the limit in the error, e.g. "traces.json" and its setting. */
  what: string;
  /** Passed to the store's write (see WriteOptions.sync); default true. */
  sync?: boolean;
}

const tooLarge = (limit: UploadLimit, key: string): CairnError =>
  new CairnError(
    ErrorCode.INVALID_PARAMETER_VALUE,
    `Invalid value for parameter 'artifact_path' supplied: '${key}' exceeds the ${limit.what} limit of ${limit.maxBytes} bytes.`,
    { status: 413 },
  );

/**
 * Passes the source through until it exceeds the limit, then fails it (the store's write leaves nothing behind).
 * A request body is read without destroying it on the way out: destroying it would reset the connection before
 * the client reads the 413; the HTTP server discards what is left once the answer is sent.
 */
async function* limited(source: ByteSource, limit: UploadLimit, key: string): AsyncGenerator<Uint8Array> {
  let total = 0;
  const chunks = source instanceof Readable ? source.iterator({ destroyOnReturn: false }) : source;
  for await (const chunk of chunks as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > limit.maxBytes) throw tooLarge(limit, key);
    yield chunk;
  }
}

/** The tracking API's ListArtifacts.Response; empty fields are omitted, as protobuf's JSON mapping does. */
export interface ListRunArtifactsResponse {
  root_uri: string;
  files?: FileInfo[];
  next_page_token?: string;
}

export interface ArtifactDownload {
  stream: Readable;
  /** Bytes sent: the whole file, or the range. */
  contentLength: number;
  totalSize: number;
  range?: ByteRange;
  contentType: string;
  contentDisposition: string;
}

export interface MultipartCredential {
  url: string;
  part_number: number;
  headers: Record<string, string>;
}

/** Builds the URL a client PUTs one part to; the routes know the server's address, the service does not. */
export type PartUrlBuilder = (key: string, uploadId: string, partNumber: number) => string;

const fileInfo = (entry: ArtifactEntry, path: string): FileInfo =>
  entry.isDir ? { path, is_dir: true } : { path, is_dir: false, file_size: entry.size ?? 0 };

/** MLflow's clients send the local file path (any OS) as the multipart `path`; only its last segment names the file. */
const multipartFileName = (path: string): string => {
  const name = path.split(/[\\/]/).pop() ?? "";
  if (name === "" || name === "." || name === "..") {
    throw invalidPath("path", path, "it must end in a file name");
  }
  return normaliseArtifactPath(name, "path");
};

export class ArtifactService {
  private readonly audit: AuditRecorder;

  constructor(
    private readonly store: ArtifactStore,
    private readonly options: ArtifactServiceOptions,
  ) {
    this.audit = options.audit ?? noAudit;
  }

  /**
   * An artifact write becomes an audit event once the file is in place (never for a failed or aborted upload), with
   * the sha256 of the bytes stored when the backend computed it on the way. A file is not a database row, so the
   * event follows the rename into place rather than sharing its transaction; a crash between the two leaves a file
   * without its event, never an event without its file.
   */
  private async auditWrite(ctx: WriteContext, action: "upload" | "delete", key: string, written?: WrittenFile): Promise<void> {
    const after =
      action === "upload" ? { bytes: written?.size ?? (await this.store.stat(key))?.size ?? null, sha256: written?.sha256 ?? null } : null;
    await this.audit.record(ctx, { action: `artifacts.file.${action}`, entityType: "artifact", entityId: key, after });
  }

  /** GET mlflow/artifacts/list: paths in the answer are relative to the run's artifact root. */
  async listRunArtifacts(runId: string, path: string | undefined): Promise<ListRunArtifactsResponse> {
    // The path is checked before the run is looked up, so a hostile path is refused whatever the run.
    if (path !== undefined) normaliseArtifactPath(path, "path", { allowRoot: true });
    return this.listUnderRoot(await this.options.resolveRunArtifactUri(runId), path, "path", runId);
  }

  /**
   * Lists a folder below an owner's artifact root (a logged model's artifact_uri): the same confinement and answer
   * as a run's listing. `field` names the path parameter in errors; `owner` names the root's owner.
   */
  async listUnderRoot(rootUri: string, path: string | undefined, field: string, owner: string): Promise<ListRunArtifactsResponse> {
    const relative = path === undefined ? "" : normaliseArtifactPath(path, field, { allowRoot: true });
    const rootKey = storeKeyOfArtifactUri(owner, rootUri);
    const entries = await this.store.list(joinKeys(rootKey, relative));
    const files = entries.map((entry) => fileInfo(entry, joinKeys(relative, baseName(entry.key))));
    return files.length > 0 ? { root_uri: rootUri, files } : { root_uri: rootUri };
  }

  /** GET mlflow-artifacts/artifacts?path=: entries carry their base name only, as MLflow's proxy answers. */
  async listArtifacts(path: string | undefined): Promise<{ files?: FileInfo[] }> {
    const key = path === undefined ? "" : normaliseArtifactPath(path, "path", { allowRoot: true });
    const files = (await this.store.list(key)).map((entry) => fileInfo(entry, baseName(entry.key)));
    return files.length > 0 ? { files } : {};
  }

  /** `ctx` names who asked, for the audit event of a refused download. */
  async download(path: string, range?: ByteRange, ctx?: WriteContext): Promise<ArtifactDownload> {
    const key = normaliseArtifactPath(path, "artifact_path");
    if (this.options.integrity !== undefined && ctx !== undefined) await this.options.integrity.checkDownload(key, ctx);
    const content = await this.store.read(key, range);
    const name = baseName(key);
    return {
      stream: content.stream,
      contentLength: content.range ? content.range.end - content.range.start + 1 : content.size,
      totalSize: content.size,
      ...(content.range ? { range: content.range } : {}),
      contentType: guessMimeType(name),
      contentDisposition: attachmentDisposition(name),
    };
  }

  /** Size of a file artifact, for answering range requests; undefined for a missing path or a directory. */
  async fileSize(path: string): Promise<number | undefined> {
    const info = await this.store.stat(normaliseArtifactPath(path, "artifact_path"));
    return info && !info.isDir ? info.size : undefined;
  }

  /** `declaredBytes` (the request's content-length) lets a limited key be refused before any byte is read. */
  async upload(path: string, body: ByteSource, ctx: WriteContext, declaredBytes?: number): Promise<void> {
    const key = normaliseArtifactPath(path, "artifact_path");
    const limit = this.options.uploadLimit?.(key);
    if (limit && declaredBytes !== undefined && declaredBytes > limit.maxBytes) throw tooLarge(limit, key);
    await this.options.integrity?.checkChange(key, "upload", ctx);
    const quotas = this.options.quotas;
    // The replaced file's size matters only to an experiment quota (it leaves the experiment's usage).
    const replaced = quotas?.countsExperiments === true ? await this.replacedBytes(key) : 0;
    const admission = quotas ? await quotas.admit(key, body, declaredBytes, replaced) : undefined;
    const source = admission?.source ?? body;
    const written = await this.settle(admission, replaced, () =>
      this.store.write(key, limit ? limited(source, limit, key) : source, limit?.sync === false ? { sync: false } : {}),
    );
    // The store reports what it wrote: no second look at the file for the audit event.
    await this.auditWrite(ctx, "upload", key, written);
  }

  /** The size of the file a write would replace (0 for none), which leaves the experiment's quota when it does. */
  private async replacedBytes(key: string): Promise<number> {
    const info = await this.store.stat(key);
    return info !== undefined && !info.isDir ? info.size : 0;
  }

  /** Runs a store write of an admitted upload and tells the quotas how it ended. */
  private async settle(admission: Admission | undefined, replaced: number, write: () => Promise<WrittenFile>): Promise<WrittenFile> {
    let written: WrittenFile;
    try {
      written = await write();
    } catch (error) {
      admission?.failed();
      throw error;
    }
    await admission?.committed(written.size, replaced);
    return written;
  }

  async delete(path: string, ctx: WriteContext): Promise<void> {
    const key = normaliseArtifactPath(path, "artifact_path");
    await this.options.integrity?.checkChange(key, "delete", ctx);
    await this.store.delete(key);
    this.options.quotas?.deleted(key);
    await this.auditWrite(ctx, "delete", key);
  }

  /** The URL path names the destination folder and the body's `path` the file, as in MLflow's mpu/create. */
  async createMultipartUpload(
    dirPath: string,
    filePath: string,
    numParts: number,
    partUrl: PartUrlBuilder,
    ctx?: WriteContext,
  ): Promise<{ upload_id: string; credentials: MultipartCredential[] }> {
    if (!Number.isInteger(numParts) || numParts < 1 || numParts > MAX_MULTIPART_PARTS) {
      throw invalidParameter(`Invalid value ${numParts} for parameter 'num_parts' supplied: must be between 1 and ${MAX_MULTIPART_PARTS}.`);
    }
    const key = this.multipartKey(dirPath, filePath);
    // Refused before any part is sent; complete checks again (a version may pin the key meanwhile).
    if (ctx !== undefined) await this.options.integrity?.checkChange(key, "upload", ctx);
    const { uploadId } = await this.store.createMultipartUpload(key);
    const credentials = Array.from({ length: numParts }, (_, index) => ({
      url: partUrl(key, uploadId, index + 1),
      part_number: index + 1,
      headers: {},
    }));
    return { upload_id: uploadId, credentials };
  }

  async uploadPart(path: string, uploadId: string, partNumber: number, body: ByteSource): Promise<{ etag: string }> {
    const key = normaliseArtifactPath(path, "artifact_path");
    const admission = await this.options.quotas?.admitPart(key, uploadId, partNumber, body);
    let etag = "";
    await this.settle(admission, 0, async () => {
      const part = await this.store.uploadPart(key, uploadId, partNumber, admission?.source ?? body);
      etag = part.etag;
      return part;
    });
    return { etag };
  }

  async completeMultipartUpload(
    dirPath: string,
    filePath: string,
    uploadId: string,
    parts: readonly UploadedPart[],
    ctx: WriteContext,
  ): Promise<void> {
    const key = this.multipartKey(dirPath, filePath);
    await this.options.integrity?.checkChange(key, "upload", ctx);
    const quotas = this.options.quotas;
    // Refused before the parts are assembled: the upload stays, for the client to abort or complete with fewer parts.
    const completed = quotas
      ? await quotas.admitCompletion(key, uploadId, parts.map((part) => part.partNumber), quotas.countsExperiments ? await this.replacedBytes(key) : 0)
      : undefined;
    const written = await this.store.completeMultipartUpload(key, uploadId, parts);
    await completed?.(written.size);
    await this.auditWrite(ctx, "upload", key, written);
  }

  async abortMultipartUpload(dirPath: string, filePath: string, uploadId: string): Promise<void> {
    const key = this.multipartKey(dirPath, filePath);
    await this.store.abortMultipartUpload(key, uploadId);
    this.options.quotas?.forgetUpload(uploadId, key);
  }

  private multipartKey(dirPath: string, filePath: string): string {
    return joinKeys(normaliseArtifactPath(dirPath, "artifact_path", { allowRoot: true }), multipartFileName(filePath));
  }
}
