import { Readable } from "node:stream";
import { CairnError, ErrorCode } from "../core/errors.js";
import type { ArtifactStore, ByteSource } from "./store.js";

/**
 * Upload quotas: without them one client fills the server's disk. A file may hold at most `maxFileBytes`; the files
 * under one experiment's folder (the first segment of every key in MLflow's proxied layout:
 * `<experiment_id>/<run_id>/artifacts/...`, `<experiment_id>/models/...`, `<experiment_id>/traces/...`) at most
 * `maxExperimentBytes`. 0 switches a quota off.
 *
 * Both are enforced on the bytes as they arrive, not on what the client declares: a declared length over a quota is
 * refused before a byte is read, and a body that runs past one (chunked, or any body at all) fails at that byte; the
 * store's atomic write then leaves nothing of it behind and keeps the file it would have replaced.
 */
export interface ArtifactQuotaLimits {
  maxFileBytes: number;
  maxExperimentBytes: number;
}

/** S3's largest single PUT: a client with a bigger file uses multipart upload, each part at most this. */
export const DEFAULT_MAX_ARTIFACT_FILE_BYTES = 5 * 1024 ** 3;
/** Off by default: how much one experiment may hold depends on the disk; `--max-experiment-artifact-bytes` sets it. */
export const DEFAULT_MAX_EXPERIMENT_ARTIFACT_BYTES = 0;

const quotaError = (message: string): CairnError =>
  new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, `Invalid value for parameter 'artifact_path' supplied: ${message}`, { status: 413 });

const fileTooLarge = (key: string, limit: number): CairnError =>
  quotaError(`'${key}' exceeds the artifact file limit of ${limit} bytes (--max-artifact-file-bytes).`);

const experimentFull = (experiment: string, limit: number, used: number): CairnError =>
  quotaError(
    `the artifacts of experiment '${experiment}' would exceed the limit of ${limit} bytes (--max-experiment-artifact-bytes); ` +
      `it holds ${used} bytes.`,
  );

/** What one experiment folder holds: `stored` is walked once from the store (undefined until then, or after a delete). */
interface Usage {
  stored?: Promise<number>;
  /** Bytes of uploads streaming now and of multipart parts staged but not completed. */
  pending: number;
}

/** An admitted upload: its source counts bytes against the quotas; settle once the store has answered. */
export interface Admission {
  source: AsyncIterable<Uint8Array>;
  /** The store wrote `size` bytes in place of `replaced` bytes: the experiment's usage moves by the difference. */
  committed(size: number, replaced: number): Promise<void>;
  /** The write failed: its counted bytes are released. */
  failed(): void;
}

export class ArtifactQuotas {
  private readonly usage = new Map<string, Usage>();
  /** Multipart parts staged per upload id: their sizes decide the completed file's size before it is assembled. */
  private readonly staged = new Map<string, Map<number, number>>();

  constructor(
    private readonly store: ArtifactStore,
    private readonly limits: ArtifactQuotaLimits,
  ) {}

  /** Whether uploads count against an experiment quota; without one only the file limit applies. */
  get countsExperiments(): boolean {
    return this.limits.maxExperimentBytes > 0;
  }

  /**
   * A whole-file upload (PUT): refused now if it declares too much, else counted while it streams. `replaced`: the
   * size of the file it replaces, which leaves the experiment when it succeeds.
   */
  async admit(key: string, source: ByteSource, declaredBytes: number | undefined, replaced: number): Promise<Admission> {
    return this.admitBytes(key, source, declaredBytes, replaced);
  }

  /** One multipart part: each part at most the file limit; staged parts count against the experiment until completed. */
  async admitPart(key: string, uploadId: string, partNumber: number, source: ByteSource): Promise<Admission> {
    const admission = await this.admitBytes(key, source, undefined, 0);
    const usage = this.usageOf(key);
    return {
      source: admission.source,
      committed: async (size) => {
        // The part stays staged: its bytes stay pending until the upload completes or is aborted.
        admission.failed();
        const parts = this.staged.get(uploadId) ?? new Map<number, number>();
        usage.pending += size - (parts.get(partNumber) ?? 0);
        parts.set(partNumber, size);
        this.staged.set(uploadId, parts);
      },
      failed: () => admission.failed(),
    };
  }

  /**
   * Before a multipart upload is assembled: the listed parts' total against both quotas (parts staged before a
   * restart are not known and count as 0). Returns what to call once the store has placed the file.
   */
  async admitCompletion(key: string, uploadId: string, partNumbers: readonly number[], replaced: number): Promise<(size: number) => Promise<void>> {
    const parts = this.staged.get(uploadId) ?? new Map<number, number>();
    const total = partNumbers.reduce((sum, part) => sum + (parts.get(part) ?? 0), 0);
    if (this.limits.maxFileBytes > 0 && total > this.limits.maxFileBytes) throw fileTooLarge(key, this.limits.maxFileBytes);
    const usage = this.usageOf(key);
    if (this.limits.maxExperimentBytes > 0) {
      const stored = await this.storedOf(key, usage);
      // Its own staged parts are already pending: only what the file adds beyond them and the file it replaces.
      if (stored + usage.pending - replaced > this.limits.maxExperimentBytes) {
        throw experimentFull(experimentOf(key), this.limits.maxExperimentBytes, stored);
      }
    }
    return async (size) => {
      this.forgetUpload(uploadId, key);
      await this.moveStored(usage, size - replaced);
    };
  }

  /** An aborted multipart upload releases its staged parts. */
  forgetUpload(uploadId: string, key: string): void {
    const parts = this.staged.get(uploadId);
    if (parts === undefined) return;
    this.staged.delete(uploadId);
    const usage = this.usageOf(key);
    for (const size of parts.values()) usage.pending -= size;
  }

  /** After a delete the experiment's usage is walked again at its next upload (a tree's size is not known before). */
  deleted(key: string): void {
    const usage = this.usage.get(experimentOf(key));
    if (usage !== undefined) delete usage.stored;
  }

  private async admitBytes(key: string, source: ByteSource, declaredBytes: number | undefined, replaced: number): Promise<Admission> {
    const maxFileBytes = this.limits.maxFileBytes;
    if (maxFileBytes > 0 && declaredBytes !== undefined && declaredBytes > maxFileBytes) throw fileTooLarge(key, maxFileBytes);
    const maxExperiment = this.limits.maxExperimentBytes;
    // Without an experiment quota, a body whose declared length is within the file limit cannot exceed it (node's
    // HTTP parser reads exactly Content-Length bytes): nothing to count. Counting every chunk through a generator cost
    // trace ingest (StartTraceV3 + a small traces.json PUT) about 30 % of its throughput.
    if (maxExperiment === 0 && (maxFileBytes === 0 || (declaredBytes !== undefined && declaredBytes <= maxFileBytes))) {
      return { source: source as AsyncIterable<Uint8Array>, committed: async () => undefined, failed: () => undefined };
    }
    const usage = this.usageOf(key);
    const stored = maxExperiment > 0 ? await this.storedOf(key, usage) : 0;
    if (maxExperiment > 0 && declaredBytes !== undefined && stored - replaced + usage.pending + declaredBytes > maxExperiment) {
      throw experimentFull(experimentOf(key), maxExperiment, stored);
    }
    let counted = 0;
    let settled = false;
    const release = (): void => {
      if (settled) return;
      settled = true;
      usage.pending -= counted;
    };
    const limits = this.limits;
    const storedNow = (): Promise<number> => this.storedOf(key, usage);
    async function* counting(): AsyncGenerator<Uint8Array> {
      // A request body is read without destroying it on the way out: destroying it would reset the connection
      // before the client reads the 413; the HTTP server discards what is left once the answer is sent.
      const chunks = source instanceof Readable ? source.iterator({ destroyOnReturn: false }) : source;
      for await (const chunk of chunks as AsyncIterable<Uint8Array>) {
        counted += chunk.length;
        usage.pending += chunk.length;
        if (maxFileBytes > 0 && counted > maxFileBytes) throw fileTooLarge(key, maxFileBytes);
        if (maxExperiment > 0) {
          const storedBytes = await storedNow();
          if (storedBytes - replaced + usage.pending > limits.maxExperimentBytes) throw experimentFull(experimentOf(key), maxExperiment, storedBytes);
        }
        yield chunk;
      }
    }
    return {
      source: counting(),
      committed: async (size, replaced) => {
        release();
        await this.moveStored(usage, size - replaced);
      },
      failed: release,
    };
  }

  private usageOf(key: string): Usage {
    const experiment = experimentOf(key);
    let usage = this.usage.get(experiment);
    if (usage === undefined) {
      usage = { pending: 0 };
      this.usage.set(experiment, usage);
    }
    return usage;
  }

  private storedOf(key: string, usage: Usage): Promise<number> {
    usage.stored ??= treeSize(this.store, experimentOf(key));
    const walk = usage.stored;
    // A failed walk (the store down) is not remembered.
    walk.catch(() => {
      if (usage.stored === walk) delete usage.stored;
    });
    return walk;
  }

  private async moveStored(usage: Usage, delta: number): Promise<void> {
    // Only a walked usage moves: one not walked yet will see the file when it is walked.
    if (usage.stored === undefined) return;
    const before = usage.stored;
    usage.stored = before.then((bytes) => Math.max(0, bytes + delta));
    await usage.stored;
  }
}

/** The experiment folder of a key: its first segment. */
const experimentOf = (key: string): string => key.split("/")[0] ?? "";

/** The bytes of every file under a folder, walked breadth-first without recursion. */
const treeSize = async (store: ArtifactStore, dirKey: string): Promise<number> => {
  let total = 0;
  const dirs = [dirKey];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    for (const entry of await store.list(dir)) {
      if (entry.isDir) dirs.push(entry.key);
      else total += entry.size ?? 0;
    }
  }
  return total;
};
