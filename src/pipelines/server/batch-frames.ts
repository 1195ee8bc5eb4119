import { invalidParameter } from "../../core/errors.js";
import { parseObjectHash } from "./service-hash.js";

/**
 * The framing of the batch transfer routes, one object after another in one body:
 *
 *   <hash> <size>\n<size bytes>         an object
 *   <hash> -\n                          (downloads only) an object the server does not hold
 *
 * Thousands of small files then cost a few requests instead of one each. Objects in a batch are small (the client
 * sends larger ones one by one), so each is held in memory, bounded by `maxObjectBytes`.
 */
export const MAX_BATCH_OBJECT_BYTES = 16 * 1024 * 1024;
/** Longest header line: a ".dir" hash, a space and a size. */
const MAX_HEADER = 68 + 1 + 16;

export interface Frame {
  hash: string;
  /** undefined: the object is absent (downloads). */
  bytes: Buffer | undefined;
}

export const frameHeader = (hash: string, size: number | undefined): Buffer => Buffer.from(`${hash} ${size === undefined ? "-" : size}\n`, "latin1");

/** Parses frames from a byte stream; a malformed header, an oversized object or a truncated body is a 400. */
export async function* readFrames(source: AsyncIterable<Uint8Array>, limits: { maxObjectBytes: number; maxObjects: number; allowAbsent: boolean }): AsyncGenerator<Frame> {
  let buffer = Buffer.alloc(0);
  let count = 0;
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  const fill = async (): Promise<boolean> => {
    if (ended) return false;
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      return false;
    }
    buffer = buffer.length === 0 ? Buffer.from(next.value) : Buffer.concat([buffer, next.value]);
    return true;
  };
  for (;;) {
    let newline = buffer.indexOf(0x0a);
    while (newline < 0) {
      if (buffer.length > MAX_HEADER) throw invalidParameter(`Malformed batch: object ${count} has no header line of at most ${MAX_HEADER} bytes.`);
      if (!(await fill())) {
        if (buffer.length === 0) return;
        throw invalidParameter(`Malformed batch: object ${count} is truncated in its header.`);
      }
      newline = buffer.indexOf(0x0a);
    }
    if (newline > MAX_HEADER) throw invalidParameter(`Malformed batch: object ${count} has no header line of at most ${MAX_HEADER} bytes.`);
    const header = buffer.subarray(0, newline).toString("latin1");
    buffer = buffer.subarray(newline + 1);
    const [hashText = "", sizeText = "", ...rest] = header.split(" ");
    if (rest.length > 0) throw invalidParameter(`Malformed batch: header of object ${count} must be '<hash> <size>'.`);
    count += 1;
    if (count > limits.maxObjects) throw invalidParameter(`Malformed batch: at most ${limits.maxObjects} objects per request.`);
    const hash = parseObjectHash(hashText, `objects[${count - 1}].hash`);
    if (sizeText === "-" && limits.allowAbsent) {
      yield { hash, bytes: undefined };
      continue;
    }
    if (!/^\d{1,16}$/.test(sizeText)) throw invalidParameter(`Malformed batch: size of object ${hash} must be a non-negative integer.`);
    const size = Number(sizeText);
    if (size > limits.maxObjectBytes) throw invalidParameter(`Object ${hash} in a batch exceeds the limit of ${limits.maxObjectBytes} bytes (send it alone).`);
    while (buffer.length < size) {
      if (!(await fill())) throw invalidParameter(`Malformed batch: object ${hash} is truncated (${buffer.length} of ${size} bytes).`);
    }
    const bytes = Buffer.from(buffer.subarray(0, size));
    buffer = buffer.subarray(size);
    yield { hash, bytes };
  }
}
