import { tmpdir } from "node:os";
import path from "node:path";
import { CairnError, ErrorCode } from "../core/errors.js";
import { localPathFromArtifactsDestination, splitStoreUri, sqlitePathFromUri } from "../core/config.js";
import type { ArtifactStore } from "../artifacts/store.js";
import type { MetadataStores } from "./metadata-stores.js";
import { POSTGRES_SCHEMES } from "./postgres/connection-uri.js";
import type { S3Settings } from "../core/s3-settings.js";

/**
 * Chooses a backend by URI scheme, so that the server names a store by URI and never imports a backend's internals.
 * Backends are loaded lazily: an embedded-only install never loads the PostgreSQL or S3 clients.
 */
type MetadataStoresOpener = (uri: string) => Promise<MetadataStores>;
/** What an artifact backend may need besides its URI: S3's settings, a local folder for parts on their way. */
export interface ArtifactStoreOptions {
  s3?: S3Settings;
  /** A local folder the S3 backend stages multipart parts in (default: the system's temporary folder). */
  stagingDir?: string;
}
type ArtifactStoreOpener = (destination: string, options: ArtifactStoreOptions) => Promise<ArtifactStore>;

const metadataStoreSchemes: Record<string, MetadataStoresOpener> = {
  sqlite: async (uri) => {
    const { openSqliteMetadataStores } = await import("./sqlite/open-stores.js");
    return openSqliteMetadataStores(sqlitePathFromUri(uri));
  },
};
const openPostgres: MetadataStoresOpener = async (uri) => {
  const { openPostgresMetadataStores } = await import("./postgres/open-stores.js");
  return openPostgresMetadataStores(uri);
};
for (const scheme of POSTGRES_SCHEMES) metadataStoreSchemes[scheme] = openPostgres;

const openLocal: ArtifactStoreOpener = async (destination) => {
  const { openLocalArtifactStore } = await import("./artifact-stores/local/index.js");
  return openLocalArtifactStore(localPathFromArtifactsDestination(destination));
};

/** Every metadata store (tracking, registry, audit, webhooks, governance) of the backend the URI names. */
export const openMetadataStores = async (uri: string): Promise<MetadataStores> => {
  const { scheme } = splitStoreUri(uri);
  const open = metadataStoreSchemes[scheme];
  if (!open) {
    throw new CairnError(
      ErrorCode.INVALID_PARAMETER_VALUE,
      `--backend-store-uri scheme '${scheme}' is not supported; supported: ${Object.keys(metadataStoreSchemes).join(", ")}`,
    );
  }
  return open(uri);
};

const openS3: ArtifactStoreOpener = async (destination, options) => {
  const { openS3ArtifactStore } = await import("./artifact-stores/s3/index.js");
  const { parseS3Destination } = await import("./artifact-stores/s3/s3-destination.js");
  const { s3SettingsFromEnv } = await import("../core/s3-settings.js");
  return openS3ArtifactStore(parseS3Destination(destination), {
    // The CLI passes the settings it read; a caller without them (a library user) gets the SDK's defaults.
    settings: options.s3 ?? s3SettingsFromEnv({}),
    stagingDir: options.stagingDir ?? path.join(tmpdir(), "cairn-s3-staging"),
  });
};

/** The artifact store of a destination: a local folder, file://, or s3://BUCKET/PREFIX. */
export const openArtifactStore = async (destination: string, options: ArtifactStoreOptions = {}): Promise<ArtifactStore> => {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(destination)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === "file") return openLocal(destination, options);
  if (scheme === "s3") return openS3(destination, options);
  throw new CairnError(
    ErrorCode.INVALID_PARAMETER_VALUE,
    `--artifacts-destination scheme '${scheme}' is not supported; supported: a local folder, file://, s3://`,
  );
};
