/**
 * A data version's UI address, and the hash a run's dataset input names when it is a data version (source_type
 * `cairn-data`, source `{"uri": "cairn-data://sha256/<hash>"}`, as src/pipelines/server/data-versions-ref.ts reads it).
 */
export const DATA_VERSION_SOURCE_TYPE = "cairn-data";
const URI_PREFIX = "cairn-data://sha256/";
export const DATA_VERSION_HASH = /^[0-9a-f]{64}(\.dir)?$/;

export const dataVersionPath = (hash: string): string => `/data-versions/${encodeURIComponent(hash)}`;

export const shortHash = (hash: string): string => hash.slice(0, 12);

export const hashOfDataset = (dataset: { source_type: string; source: string }): string | undefined => {
  if (dataset.source_type !== DATA_VERSION_SOURCE_TYPE || dataset.source.length > 1000) return undefined;
  try {
    const uri = (JSON.parse(dataset.source) as { uri?: unknown } | null)?.uri;
    if (typeof uri !== "string" || !uri.startsWith(URI_PREFIX)) return undefined;
    const hash = uri.slice(URI_PREFIX.length);
    return DATA_VERSION_HASH.test(hash) ? hash : undefined;
  } catch {
    return undefined;
  }
};
