/**
 * The worker thread of parse-suite-off-thread.ts: parses suites so that the YAML parser's cost (about 1 to 4 µs a
 * byte: 0.3 to 1 s for a 250 KB suite) is never paid on the server's event loop.
 */
import { parentPort } from "node:worker_threads";
import { isCairnError } from "../../core/errors.js";
import { parseSuite } from "./parse-suite.js";
import type { SuiteParseReply, SuiteParseRequest } from "./suite-parse-messages.js";

parentPort?.on("message", (request: SuiteParseRequest) => {
  let reply: SuiteParseReply;
  try {
    reply = { id: request.id, suite: parseSuite(request.text, request.label) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error), clientError: isCairnError(error) };
  }
  parentPort?.postMessage(reply);
});
