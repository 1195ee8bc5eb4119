/**
 * Where `cairn push` sends cache objects and `cairn fetch` gets them: a folder laid out like a cache, or a Cairn
 * server's data objects. Hashes are object hashes (64 hex, ".dir" for a manifest); files are local paths.
 */
export interface Remote {
  /** What the user named it by ("origin", or the tracking URI for the default server). */
  readonly label: string;
  /** The hashes among these that the remote lacks (each once, in the order given). */
  missing(hashes: readonly string[]): Promise<string[]>;
  /** Sends one object's bytes from a local file; the remote verifies and places it atomically. */
  upload(hash: string, file: string): Promise<void>;
  /**
   * Receives one object into destFile, verifying its sha256 while it streams and placing it atomically (read-only);
   * a corrupt object is refused naming it and never placed. A missing one is an ObjectNotOnRemote.
   */
  download(hash: string, destFile: string): Promise<void>;
  /**
   * Optional bulk forms (a server sends many small objects per request): same guarantees as upload/download, with
   * `jobs` requests in flight. Each returns the items that failed, with why; the others were transferred.
   */
  uploadMany?(items: readonly UploadItem[], jobs: number): Promise<ItemFailure[]>;
  downloadMany?(items: readonly DownloadItem[], jobs: number): Promise<ItemFailure[]>;
  close(): Promise<void>;
}

export interface UploadItem {
  hash: string;
  file: string;
}

export interface DownloadItem {
  hash: string;
  destFile: string;
}

export interface ItemFailure {
  hash: string;
  error: unknown;
}

/** The remote does not hold the object (a 404, a missing file). */
export class ObjectNotOnRemote extends Error {
  override readonly name = "ObjectNotOnRemote";
  constructor(
    readonly hash: string,
    remote: string,
  ) {
    super(`object ${hash} is not on remote '${remote}'`);
  }
}
