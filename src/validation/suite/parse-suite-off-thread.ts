import { Worker } from "node:worker_threads";
import { invalidParameter } from "../../core/errors.js";
import { parseSuite } from "./parse-suite.js";
import type { SuiteParseReply, SuiteParseRequest } from "./suite-parse-messages.js";
import type { Suite } from "./suite.js";
import { startModuleWorker } from "../../core/module-worker.js";

/** Suites up to this size are parsed inline (a few ms); larger ones on the worker. */
export const INLINE_SUITE_CHARS = 16 * 1024;
/** A parse that takes longer is abandoned (its worker terminated) and the suite refused. */
export const SUITE_PARSE_TIMEOUT_MS = 10_000;

interface Waiting {
  resolve: (suite: Suite) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Parses suites a client sent (monitors' data_tests) on one worker thread, so that a 250 KB suite costs the event
 * loop nothing: the YAML parser spends 0.3 to 1 s on one, and requests queued behind it waited that long. Parses
 * queue on the one worker (one core at most); the worker starts at the first large suite and never keeps the
 * process alive.
 */
export class SuiteParserThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  constructor(private readonly timeoutMs: number = SUITE_PARSE_TIMEOUT_MS) {}

  async parse(text: string, label: string): Promise<Suite> {
    if (text.length <= INLINE_SUITE_CHARS) return parseSuite(text, label);
    const worker = this.workerNow();
    const id = this.nextId++;
    return new Promise<Suite>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(invalidParameter(`${label} took longer than ${this.timeoutMs} ms to parse`));
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      const request: SuiteParseRequest = { id, text, label };
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private workerNow(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = startWorker();
    worker.on("message", (reply: SuiteParseReply) => {
      const waiting = this.waiting.get(reply.id);
      if (waiting === undefined) return;
      this.waiting.delete(reply.id);
      clearTimeout(waiting.timer);
      if ("suite" in reply) waiting.resolve(reply.suite);
      else waiting.reject(reply.clientError ? invalidParameter(reply.error) : new Error(reply.error));
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", () => {
      if (this.worker === worker) this.worker = undefined;
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** Every waiting parse fails and the worker goes (a timed-out parse may still be running in it). */
  private fail(error: Error): void {
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
    this.waiting.clear();
    void this.close();
  }
}

const startWorker = (): Worker => startModuleWorker(import.meta.url, "suite-parse-worker");
