import { createHash } from "node:crypto";
import { PassThrough, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ByteSource } from "../../../artifacts/store.js";

/**
 * The source as a stream the SDK reads, counting and hashing (sha256) the bytes on the way. `done` settles when
 * the source has been read to its end (or failed): a source that fails mid-way destroys the body, so the upload
 * fails and S3 keeps nothing.
 */
export interface HashingBody {
  body: PassThrough;
  done: Promise<void>;
  result(): { size: number; sha256: string };
}

export const hashingBody = (source: ByteSource, highWaterMark = 1024 * 1024): HashingBody => {
  let size = 0;
  const sha256 = createHash("sha256");
  const meter = new Transform({
    highWaterMark,
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      sha256.update(chunk);
      callback(null, chunk);
    },
  });
  const body = new PassThrough({ highWaterMark });
  const done = pipeline(source, meter, body);
  // The caller awaits done; this keeps an early failure from being reported as unhandled meanwhile.
  done.catch(() => undefined);
  let digest: string | undefined;
  return {
    body,
    done,
    result: () => {
      digest ??= sha256.digest("hex");
      return { size, sha256: digest };
    },
  };
};
