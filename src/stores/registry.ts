import { CairnError, ErrorCode } from "../core/errors.js";
import { localPathFromArtifactsDestination, splitStoreUri, sqlitePathFromUri } from "../core/config.js";
import type { ArtifactStore } from "../artifacts/store.js";
import type { TrackingStore } from "../tracking/store.js";

/**
 * Chooses a backend by URI scheme, so that the server names a store by URI and never imports a backend's internals.
 * Backends are loaded lazily: an embedded-only install never loads the PostgreSQL or S3 clients.
 */
type TrackingStoreOpener = (uri: string) => Promise<TrackingStore>;
type ArtifactStoreOpener = (destination: string) => Promise<ArtifactStore>;

const trackingStoreSchemes: Record<string, TrackingStoreOpener> = {
  sqlite: async (uri) => {
    const { openSqliteTrackingStore } = await import("./sqlite/index.js");
    return openSqliteTrackingStore(sqlitePathFromUri(uri));
  },
};

const openLocal: ArtifactStoreOpener = async (destination) => {
  const { openLocalArtifactStore } = await import("./artifact-stores/local/index.js");
  return openLocalArtifactStore(localPathFromArtifactsDestination(destination));
};

export const openTrackingStore = async (uri: string): Promise<TrackingStore> => {
  const { scheme } = splitStoreUri(uri);
  const open = trackingStoreSchemes[scheme];
  if (!open) {
    throw new CairnError(
      ErrorCode.INVALID_PARAMETER_VALUE,
      `--backend-store-uri scheme '${scheme}' is not supported; supported: ${Object.keys(trackingStoreSchemes).join(", ")}`,
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
