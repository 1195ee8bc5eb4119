/**
 * A worker thread of codec-pool.ts: decodes large scoring bodies into tensors and encodes large answers to JSON, so
 * that their cost (about 16 µs a KiB of body to decode, 50 µs a KiB of output data to encode: 18 MB bodies took 0.4 to
 * 1.1 s) is never paid on the server's event loop.
 * Decoded typed arrays and encoded bytes are transferred back, not copied.
 */
import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { failureOf, runCodecJob, transferablesOf } from "./codec-jobs.js";
import type { CodecReply, CodecRequest } from "./codec-messages.js";

const CODEC_THREAD_NICENESS = 10;

// Below the event loop's priority, as the model executors (nice 10): on Linux this sets only this thread's niceness,
// so a core busy decoding still leaves the loop its share. Where it cannot be set, the default priority stays.
try {
  setPriority(CODEC_THREAD_NICENESS);
} catch {
  // not permitted here: keep the default
}

parentPort?.on("message", (request: CodecRequest) => {
  let reply: CodecReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const result = runCodecJob(request.job);
    transfer = transferablesOf(result);
    reply = { id: request.id, result };
  } catch (error) {
    reply = { id: request.id, failure: failureOf(error) };
  }
  parentPort?.postMessage(reply, transfer);
});
