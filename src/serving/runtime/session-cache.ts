import { stat } from "node:fs/promises";
import * as ort from "onnxruntime-node";
import { invalidParameter } from "../../core/errors.js";

export interface SessionSettings {
  intraOpThreads: number;
  interOpThreads: number;
}

interface Entry {
  session: Promise<ort.InferenceSession>;
  users: number;
}

/**
 * onnxruntime sessions, created once per (file, thread settings) and shared: loading parses and optimises the
 * graph (milliseconds to seconds), and one session runs concurrent requests safely. The key includes the file's
 * size and mtime so that a file rewritten in place is loaded afresh rather than served stale. Reference counted:
 * the session is released when its last user releases it.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();

  async acquire(path: string, settings: SessionSettings): Promise<{ key: string; session: ort.InferenceSession }> {
    const info = await stat(path);
    const key = JSON.stringify([path, info.size, info.mtimeMs, settings.intraOpThreads, settings.interOpThreads]);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      const created: Entry = { session: create(path, settings), users: 0 };
      entry = created;
      this.entries.set(key, created);
      // A failed load must not stay cached: the next attempt (a fixed file) tries again.
      created.session.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
    }
    entry.users++;
    try {
      return { key, session: await entry.session };
    } catch (error) {
      entry.users--;
      throw error;
    }
  }

  async release(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    entry.users--;
    if (entry.users > 0) return;
    this.entries.delete(key);
    await (await entry.session).release();
  }

  /** Sessions currently held (for metrics and tests). */
  size(): number {
    return this.entries.size;
  }
}

/** How every Cairn session is created, on the main thread or in an inference worker. */
export const ortSessionOptions = (settings: SessionSettings): ort.InferenceSession.SessionOptions => ({
  executionProviders: ["cpu"],
  intraOpNumThreads: settings.intraOpThreads,
  interOpNumThreads: settings.interOpThreads,
  graphOptimizationLevel: "all",
  executionMode: "sequential",
});

async function create(path: string, settings: SessionSettings): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(path, ortSessionOptions(settings));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidParameter(`could not load ONNX model ${path}: ${reason}`);
  }
}

/** The process-wide cache: every deployment, version and `cairn serve` shares it. */
export const sessionCache = new SessionCache();
