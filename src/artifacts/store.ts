import type { Readable } from "node:stream";

/**
 * Where artifact bytes live. Storage-neutral on purpose: the local folder backend implements it today and an
 * S3-compatible backend will implement the same contract later, so keys are normalised relative POSIX paths
 * ("" is the root, "a/b.txt" a file) and never filesystem paths. Callers normalise client input first
 * (see artifact-path.ts); backends check keys again as a second line of defence.
 */
export interface ArtifactEntry {
  /** Full key relative to the store root, e.g. "0/<run_id>/artifacts/model/MLmodel". */
  key: string;
  isDir: boolean;
  /** Bytes; absent for directories. */
  size?: number;
}

export interface ArtifactStat {
  key: string;
  isDir: boolean;
  /** Bytes; 0 for directories. */
  size: number;
  modifiedAtMs: number;
}

/** Inclusive byte range, as HTTP Range headers count. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface ArtifactContent {
  /** Streams the file (or the range) without buffering it; destroying it releases the underlying handle. */
  stream: Readable;
  /** Size of the whole file. */
  size: number;
  range?: ByteRange;
}

/** Any byte stream: an HTTP request, a file stream, a generator. */
export type ByteSource = Readable | AsyncIterable<Uint8Array>;

export interface WriteOptions {
  /**
   * false: the file is placed atomically but not fsynced on its own, so it survives a crash of the process (as the
   * metadata store's WAL commits do) but an OS crash or power loss may drop it. For small, frequent files whose
   * writer can resend them (a trace's traces.json); default true.
   */
  sync?: boolean;
}

/** What a write stored: its size and, when the backend computes it on the way, its sha256 (hex). */
export interface WrittenFile {
  size: number;
  sha256?: string;
}

export interface UploadedPart {
  partNumber: number;
  /** ETag returned when the part was uploaded; checked when given. */
  etag?: string;
}

/** S3's limits, kept for every backend so that a client written against one works against all. */
export const MAX_MULTIPART_PARTS = 10_000;

/** A staging leftover: a temporary file whose upload never finished, or a multipart upload never completed or aborted. */
export interface OrphanedUpload {
  kind: "partial-file" | "multipart-upload";
  /** The backend's name for it (a staging file name, an upload id). */
  id: string;
  /** The artifact key a multipart upload was for, when known. */
  key?: string;
  bytes: number;
  modifiedTime: number;
}

export interface ArtifactStore {
  /** Direct children of a directory, sorted by key; [] when the key is missing or names a file (as MLflow). */
  list(dirKey: string): Promise<ArtifactEntry[]>;
  /** undefined when nothing exists at the key. */
  stat(key: string): Promise<ArtifactStat | undefined>;
  /** RESOURCE_DOES_NOT_EXIST when missing, INVALID_PARAMETER_VALUE for a directory or a range outside the file. */
  read(key: string, range?: ByteRange): Promise<ArtifactContent>;
  /**
   * Streams the source to the key atomically: readers see the old content or the complete new one, never a torn
   * file, and a source that fails mid-way leaves nothing behind. Replaces an existing file.
   */
  write(key: string, source: ByteSource, options?: WriteOptions): Promise<WrittenFile>;
  /** Removes a file or a whole tree; a missing key is not an error (as MLflow). */
  delete(key: string): Promise<void>;
  createMultipartUpload(key: string): Promise<{ uploadId: string }>;
  /** Stores one part (re-uploading a part number replaces it) and returns its ETag. */
  uploadPart(key: string, uploadId: string, partNumber: number, source: ByteSource): Promise<{ etag: string; size: number }>;
  /** Concatenates the listed parts in part-number order into the key, atomically, then forgets the upload. */
  completeMultipartUpload(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<WrittenFile>;
  /** Drops the upload and its parts. */
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;
  /**
   * For `cairn gc`: staging leftovers untouched for at least `minAgeMs` that no live upload owns (a backend applies
   * its own floor: an upload may legitimately pause). Optional: a backend without staging leaves it out.
   */
  listOrphanedUploads?(minAgeMs: number, now: number): Promise<OrphanedUpload[]>;
  removeOrphanedUpload?(upload: OrphanedUpload): Promise<void>;
}
