import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { FileInfo } from "../protocol/mlflow/entities.js";
import { encodePath, joinArtifactPath, localTarget, proxiedRoot } from "./artifact-paths.js";
import { CairnApiError } from "./errors.js";
import { collect, iteratePages } from "./paging.js";
import type { RunsApi } from "./runs-api.js";
import type { HttpTransport } from "./transport.js";

const PROXY_PREFIX = "/api/2.0/mlflow-artifacts/artifacts";

export interface ArtifactListing {
  /** The run's artifact root as the server names it. */
  rootUri: string;
  /** Paths relative to the run's artifact root. */
  files: FileInfo[];
}

/**
 * Run artifacts: the tracking listing (artifacts/list) and the artifact proxy (mlflow-artifacts routes) for upload,
 * download, listing and delete. Bytes are streamed both ways, never held whole in memory.
 */
export class ArtifactsApi {
  private readonly roots = new Map<string, string>();

  constructor(
    private readonly http: HttpTransport,
    private readonly runs: RunsApi,
  ) {}

  /** artifacts/list: the entries directly under `artifactPath` of the run (every page). */
  async list(runId: string, artifactPath?: string): Promise<ArtifactListing> {
    let rootUri = "";
    const files = await collect(
      iteratePages(async (pageToken) => {
        const response = await this.http.call<{ root_uri?: string; files?: FileInfo[]; next_page_token?: string }>(
          "GET",
          "artifacts/list",
          { run_id: runId, path: artifactPath, page_token: pageToken },
        );
        rootUri = response.root_uri ?? rootUri;
        return { items: response.files ?? [], nextPageToken: response.next_page_token || undefined };
      }),
    );
    return { rootUri, files };
  }

  /** The proxy path of the run's artifact root; fails when the server does not serve this run's artifacts. */
  async proxyRoot(runId: string): Promise<string> {
    const cached = this.roots.get(runId);
    if (cached !== undefined) return cached;
    const run = await this.runs.get(runId);
    const root = proxiedRoot(run.info.artifact_uri);
    if (root === undefined) {
      throw new TypeError(
        `run ${runId} stores artifacts at '${run.info.artifact_uri}', which the tracking server does not proxy ` +
          "(it serves mlflow-artifacts:/ locations only)",
      );
    }
    this.roots.set(runId, root);
    return root;
  }

  /** Entries directly under `artifactPath` through the proxy, with paths relative to the run's artifact root. */
  async listProxied(runId: string, artifactPath?: string): Promise<FileInfo[]> {
    return this.listUnder(await this.proxyRoot(runId), artifactPath);
  }

  /**
   * Entries directly under `artifactPath` of any proxied folder (`root`: a path on the proxy, e.g. the path of an
   * mlflow-artifacts: URI a registry answered), with paths relative to `root`.
   */
  async listUnder(root: string, artifactPath?: string): Promise<FileInfo[]> {
    const dir = joinArtifactPath(artifactPath);
    const listed = await this.http.send({ method: "GET", path: PROXY_PREFIX, query: { path: joinArtifactPath(root, dir) } });
    const body = (await listed.json()) as { files?: FileInfo[] };
    // The proxy names entries by their base name; make them relative to the root like artifacts/list does.
    return (body.files ?? []).map((file) => ({ ...file, path: joinArtifactPath(dir, path.posix.basename(file.path)) }));
  }

  /** Uploads one local file to `artifactPath` (a file path under the run's root), streamed; retried on transient failures. */
  async uploadFile(runId: string, localFile: string, artifactPath: string): Promise<void> {
    const root = await this.proxyRoot(runId);
    const size = (await stat(localFile)).size;
    await this.http.send({
      method: "PUT",
      path: `${PROXY_PREFIX}/${encodePath(joinArtifactPath(root, artifactPath))}`,
      body: () => ({
        // A Node stream: the transport sends it through node:http, which keeps memory constant whatever the size.
        body: createReadStream(localFile),
        headers: { "content-type": "application/octet-stream", "content-length": String(size) },
      }),
    });
  }

  /**
   * Uploads a stream to `artifactPath`. A stream can be read once, so this request is not retried: for retries,
   * upload from a file.
   */
  async uploadStream(runId: string, artifactPath: string, source: Readable | WebReadableStream<Uint8Array>): Promise<void> {
    const root = await this.proxyRoot(runId);
    const body: Readable = source instanceof Readable ? source : Readable.fromWeb(source);
    await this.http.send({
      method: "PUT",
      path: `${PROXY_PREFIX}/${encodePath(joinArtifactPath(root, artifactPath))}`,
      body: () => ({ body, headers: { "content-type": "application/octet-stream" } }),
      retryable: false,
    });
  }

  /**
   * Uploads a local file or a whole folder, as MLflow's log_artifact / log_artifacts do: a file lands at
   * `<artifactPath>/<its name>`, a folder's contents (not the folder itself) under `<artifactPath>/`. Files are sent
   * one at a time in name order. Returns the artifact paths written.
   */
  async upload(runId: string, localPath: string, artifactPath?: string): Promise<string[]> {
    const info = await stat(localPath);
    if (info.isFile()) {
      const target = joinArtifactPath(artifactPath, path.basename(localPath));
      await this.uploadFile(runId, localPath, target);
      return [target];
    }
    if (!info.isDirectory()) throw new TypeError(`${localPath} is neither a file nor a folder`);
    const written: string[] = [];
    const walk = async (dir: string, relative: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        const rel = joinArtifactPath(relative, entry.name);
        if (entry.isDirectory()) await walk(full, rel);
        else if (entry.isFile()) {
          await this.uploadFile(runId, full, rel);
          written.push(rel);
        }
      }
    };
    await walk(localPath, joinArtifactPath(artifactPath));
    return written;
  }

  /** Streams one artifact file to a local file (written to a temporary name, then renamed into place). */
  async downloadFile(runId: string, artifactPath: string, localFile: string): Promise<void> {
    await this.downloadFileUnder(await this.proxyRoot(runId), artifactPath, localFile);
  }

  /** downloadFile for a file under any proxied folder `root`. */
  async downloadFileUnder(root: string, artifactPath: string, localFile: string): Promise<void> {
    const response = await this.http.send({
      method: "GET",
      path: `${PROXY_PREFIX}/${encodePath(joinArtifactPath(root, artifactPath))}`,
    });
    await mkdir(path.dirname(localFile), { recursive: true });
    const partial = `${localFile}.cairn-partial`;
    try {
      if (response.body === null) throw new TypeError(`empty response body for artifact '${artifactPath}'`);
      await pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>), createWriteStream(partial));
      await rename(partial, localFile);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  /**
   * Downloads `artifactPath` (a file or a folder; the run's whole root when omitted) into `destDir`, keeping the
   * artifact's relative path as MLflow's download_artifacts does. Returns the local files written.
   */
  async download(runId: string, artifactPath: string | undefined, destDir: string): Promise<string[]> {
    try {
      return await this.downloadUnder(await this.proxyRoot(runId), artifactPath, destDir);
    } catch (error) {
      if (error instanceof CairnApiError && error.status === 404 && joinArtifactPath(artifactPath) !== "") {
        throw new CairnApiError(404, "RESOURCE_DOES_NOT_EXIST", `No artifact '${joinArtifactPath(artifactPath)}' in run ${runId}`, error.request);
      }
      throw error;
    }
  }

  /** download for any proxied folder `root` (a registry's download URI, a logged model's artifact_uri). */
  async downloadUnder(root: string, artifactPath: string | undefined, destDir: string): Promise<string[]> {
    const start = joinArtifactPath(artifactPath);
    const written: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await this.listUnder(root, dir)) {
        if (entry.is_dir) await walk(entry.path);
        else {
          const target = localTarget(destDir, entry.path);
          await this.downloadFileUnder(root, entry.path, target);
          written.push(target);
        }
      }
    };
    const entries = start === "" ? [] : await this.listUnder(root, start);
    if (start !== "" && entries.length === 0) {
      // An empty listing is either an empty folder or a file: try it as a file.
      const target = localTarget(destDir, start);
      await this.downloadFileUnder(root, start, target);
      return [target];
    }
    await walk(start);
    return written;
  }

  /** Deletes an artifact file or folder of the run through the proxy. */
  async delete(runId: string, artifactPath: string): Promise<void> {
    const root = await this.proxyRoot(runId);
    const target = joinArtifactPath(artifactPath);
    if (target === "") throw new TypeError("artifact path to delete must not be empty");
    const response = await this.http.send({ method: "DELETE", path: `${PROXY_PREFIX}/${encodePath(joinArtifactPath(root, target))}` });
    await response.body?.cancel();
  }
}
