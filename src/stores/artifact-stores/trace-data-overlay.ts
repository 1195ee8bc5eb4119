import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { CairnError, ErrorCode, invalidParameter } from "../../core/errors.js";
import type { ArtifactContent, ArtifactEntry, ArtifactStat, ArtifactStore, ByteRange, ByteSource, UploadedPart, WriteOptions, WrittenFile } from "../../artifacts/store.js";
import type { Clock } from "../../core/clock.js";
import { TRACE_ID_PATTERN } from "../../tracing/ids.js";
import type { TraceStore } from "../../tracing/store.js";

/**
 * An artifact store that keeps each trace's `traces.json` with the trace in the metadata database, and everything
 * else in the store below it. The file travels through the ordinary artifact routes (MLflow's clients PUT and GET
 * it there), but it is written once per trace: as a file it costs two new directories, a file and a rename, about
 * 1.5 ms a trace on this project's machine, which capped ingest far below the database's rate. As a row it is one
 * insert, and deleting the trace deletes its spans.
 *
 * Only `<prefix>/traces/<trace id>/artifacts/traces.json` where `mlflow-artifacts:/<prefix>/traces/<trace id>/artifacts`
 * is that trace's own `mlflow.artifactLocation` goes to the database; any other key, or a trace Cairn does not know,
 * falls through to the store below. Listing `.../traces/<trace id>/artifacts` shows the file; listing the folders
 * above it shows only what the store below holds.
 */
const TRACE_DATA_KEY = new RegExp(`^(.+)/traces/(${TRACE_ID_PATTERN})/artifacts/traces\\.json$`);
const TRACE_ARTIFACTS_DIR = new RegExp(`^(.+)/traces/(${TRACE_ID_PATTERN})/artifacts$`);
const TRACE_DIR = new RegExp(`^(.+)/traces/(${TRACE_ID_PATTERN})$`);
const PROXY_SCHEME = "mlflow-artifacts:/";

interface TraceRef {
  traceId: string;
  location: string;
}

const refOf = (pattern: RegExp, key: string): TraceRef | undefined => {
  const match = pattern.exec(key);
  if (!match?.[1] || !match[2]) return undefined;
  return { traceId: match[2], location: `${PROXY_SCHEME}${match[1]}/traces/${match[2]}/artifacts` };
};

const byKey = (a: ArtifactEntry, b: ArtifactEntry): number => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));

export interface TraceDataOverlayOptions {
  /** The largest traces.json kept in the database (the upload limit): a larger one is refused, never buffered. */
  maxBytes: number;
  clock?: Clock;
}

class TraceDataOverlay implements ArtifactStore {
  private readonly clock: Clock;

  constructor(
    private readonly inner: ArtifactStore,
    private readonly traces: TraceStore,
    private readonly options: TraceDataOverlayOptions,
  ) {
    this.clock = options.clock ?? Date.now;
  }

  async list(dirKey: string): Promise<ArtifactEntry[]> {
    const entries = await this.inner.list(dirKey);
    const artifacts = refOf(TRACE_ARTIFACTS_DIR, dirKey);
    const traceDir = refOf(TRACE_DIR, dirKey);
    const ref = artifacts ?? traceDir;
    if (!ref) return entries;
    const stored = await this.traces.getTraceData(ref.traceId, ref.location);
    if (!stored) return entries;
    const extra: ArtifactEntry = artifacts
      ? { key: `${dirKey}/traces.json`, isDir: false, size: stored.data.length }
      : { key: `${dirKey}/artifacts`, isDir: true };
    return entries.some((entry) => entry.key === extra.key) ? entries : [...entries, extra].sort(byKey);
  }

  async stat(key: string): Promise<ArtifactStat | undefined> {
    const ref = refOf(TRACE_DATA_KEY, key);
    const stored = ref ? await this.traces.getTraceData(ref.traceId, ref.location) : undefined;
    if (stored) return { key, isDir: false, size: stored.data.length, modifiedAtMs: stored.modifiedTime };
    const dir = refOf(TRACE_ARTIFACTS_DIR, key) ?? refOf(TRACE_DIR, key);
    const inner = await this.inner.stat(key);
    if (inner || !dir) return inner;
    const data = await this.traces.getTraceData(dir.traceId, dir.location);
    return data ? { key, isDir: true, size: 0, modifiedAtMs: data.modifiedTime } : undefined;
  }

  async read(key: string, range?: ByteRange): Promise<ArtifactContent> {
    const ref = refOf(TRACE_DATA_KEY, key);
    const stored = ref ? await this.traces.getTraceData(ref.traceId, ref.location) : undefined;
    if (!stored) return this.inner.read(key, range);
    const size = stored.data.length;
    if (range && (range.start < 0 || range.end >= size || range.start > range.end)) {
      throw invalidParameter(`Range ${range.start}-${range.end} is outside '${key}' (${size} bytes).`);
    }
    const bytes = range ? stored.data.subarray(range.start, range.end + 1) : stored.data;
    return { stream: Readable.from([bytes]), size, ...(range ? { range } : {}) };
  }

  async write(key: string, source: ByteSource, options: WriteOptions = {}): Promise<WrittenFile> {
    const ref = refOf(TRACE_DATA_KEY, key);
    if (!ref) return this.inner.write(key, source, options);
    // Bounded before anything is kept: the service's limit applies upstream, this one keeps the overlay safe alone.
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > this.options.maxBytes) {
        throw new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, `'${key}' exceeds the traces.json limit of ${this.options.maxBytes} bytes.`, { status: 413 });
      }
      chunks.push(Buffer.from(chunk));
    }
    const data = Buffer.concat(chunks, total);
    if (await this.traces.putTraceData(ref.traceId, ref.location, data, this.clock())) return { size: total, sha256: createHash("sha256").update(data).digest("hex") };
    return this.inner.write(key, Readable.from([data]), options);
  }

  async delete(key: string): Promise<void> {
    const ref = refOf(TRACE_DATA_KEY, key) ?? refOf(TRACE_ARTIFACTS_DIR, key) ?? refOf(TRACE_DIR, key);
    if (ref) await this.traces.deleteTraceData(ref.traceId, ref.location);
    await this.inner.delete(key);
  }

  createMultipartUpload(key: string): Promise<{ uploadId: string }> {
    return this.inner.createMultipartUpload(key);
  }

  uploadPart(key: string, uploadId: string, partNumber: number, source: ByteSource): Promise<{ etag: string; size: number }> {
    return this.inner.uploadPart(key, uploadId, partNumber, source);
  }

  completeMultipartUpload(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<WrittenFile> {
    return this.inner.completeMultipartUpload(key, uploadId, parts);
  }

  abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    return this.inner.abortMultipartUpload(key, uploadId);
  }
}

export const withTraceDataInDatabase = (inner: ArtifactStore, traces: TraceStore, options: TraceDataOverlayOptions): ArtifactStore =>
  new TraceDataOverlay(inner, traces, options);
