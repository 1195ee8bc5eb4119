import { CairnError, ErrorCode } from "../core/errors.js";
import { localPathFromArtifactsDestination, splitStoreUri, sqlitePathFromUri } from "../core/config.js";
import type { ArtifactStore } from "../artifacts/store.js";
import type { MetadataStores } from "./metadata-stores.js";
import { POSTGRES_SCHEMES } from "./postgres/connection-uri.js";

/**
 * Chooses a backend by URI scheme, so that the server names a store by URI and never imports a backend's internals.
 * Backends are loaded lazily: an embedded-only install never loads the PostgreSQL or S3 clients.
 */
type MetadataStoresOpener = (uri: string) => Promise<MetadataStores>;
type ArtifactStoreOpener = (destination: string) => Promise<ArtifactStore>;

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

export const openArtifactStore = async (destination: string): Promise<ArtifactStore> => {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(destination)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === "file") return openLocal(destination);
  throw new CairnError(
    ErrorCode.INVALID_PARAMETER_VALUE,
    `--artifacts-destination scheme '${scheme}' is not supported; supported: a local folder, file://`,
  );
};
