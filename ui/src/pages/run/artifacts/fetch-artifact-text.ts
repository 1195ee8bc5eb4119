import { ApiError } from "../../../api/http";

/** Previews read at most this much of a file: enough to read, never a gigabyte log into a <pre>. */
export const PREVIEW_BYTES = 1024 * 1024;

export interface ArtifactText {
  text: string;
  /** Bytes of the whole file, when the server said (Content-Range or Content-Length). */
  totalBytes: number | undefined;
  /** Only the head of the file was read. */
  truncated: boolean;
}

const totalFrom = (response: Response): number | undefined => {
  const range = response.headers.get("content-range");
  const total = range ? Number(range.slice(range.lastIndexOf("/") + 1)) : Number(response.headers.get("content-length") ?? Number.NaN);
  return Number.isFinite(total) ? total : undefined;
};

/** Reads the body, stopping at `limit` bytes even if a server ignored the Range header and sends the whole file. */
const readHead = async (response: Response, limit: number): Promise<Uint8Array> => {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(await response.arrayBuffer()).slice(0, limit);
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel();
  const head = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, head.length - offset);
    head.set(part, offset);
    offset += part.length;
    if (offset >= head.length) break;
  }
  return head;
};

/**
 * The first PREVIEW_BYTES of an artifact as text, asked for with a Range header so the server sends no more.
 * A cut in the middle of a UTF-8 sequence decodes to one replacement character at the very end, which is harmless.
 */
export const fetchArtifactText = async (url: string, signal?: AbortSignal, limit = PREVIEW_BYTES): Promise<ArtifactText> => {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Range: `bytes=0-${limit - 1}` }, ...(signal ? { signal } : {}) });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError("Cannot reach the Cairn server. Is it running?", 0, undefined);
  }
  // An empty file has no byte 0: the server answers 416 to any range of it.
  if (response.status === 416) return { text: "", totalBytes: 0, truncated: false };
  if (!response.ok) {
    throw new ApiError(response.status === 404 ? "This artifact does not exist (any more)." : `Could not download the artifact (HTTP ${response.status}).`, response.status, undefined);
  }
  const totalBytes = totalFrom(response);
  const head = await readHead(response, limit);
  const text = new TextDecoder("utf-8").decode(head);
  return { text, totalBytes, truncated: totalBytes !== undefined ? totalBytes > head.length : head.length >= limit };
};
