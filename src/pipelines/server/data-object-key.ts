import { objectKey } from "../data/cache-layout.js";

/**
 * Where the server keeps content-addressed data objects in its artifact store, whatever the backend: under
 * `.cairn-data/` with the cache's own layout (`.cairn-data/files/sha256/ab/<62 hex>[.dir]`). One definition for the
 * object routes (push/pull) and the data version pages that read manifests.
 */
export const DATA_OBJECTS_ROOT = ".cairn-data";

export const dataObjectKey = (hash: string): string => `${DATA_OBJECTS_ROOT}/${objectKey(hash)}`;
