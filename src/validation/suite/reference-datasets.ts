/**
 * The reference datasets of a suite's drift expectations: given already opened (keyed by the `reference` text as
 * written) or opened from a path resolved against `referenceDir` (the CLI passes the suite file's folder). Each path is
 * opened once per validation and closed at its end; datasets passed in stay open (their owner closes them).
 */
import { access } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import type { Dataset } from "../dataset.js";
import { openDataset } from "../duckdb/index.js";

export interface ReferenceOptions {
  /** Opened reference datasets by the `reference` value the suite writes. */
  references?: Readonly<Record<string, Dataset>>;
  /** Folder relative paths resolve against (default: the working directory). */
  referenceDir?: string;
  /**
   * Opens a `reference` value itself instead of reading it as a local path: a server passes one that only reads from
   * its artifact store, so that a suite sent by a client cannot make it open any file on its disk.
   */
  open?: (reference: string) => Promise<Dataset>;
}

export class ReferenceDatasets {
  private readonly opened = new Map<string, Promise<Dataset>>();

  constructor(private readonly options: ReferenceOptions = {}) {}

  /** The dataset for a `reference` value; rejects with a message naming the resolved path when there is no file. */
  get(reference: string): Promise<Dataset> {
    const given = this.options.references?.[reference];
    if (given !== undefined && Object.hasOwn(this.options.references ?? {}, reference)) return Promise.resolve(given);
    const open = this.options.open;
    const path = open ? reference : isAbsolute(reference) ? reference : resolve(this.options.referenceDir ?? process.cwd(), reference);
    let dataset = this.opened.get(path);
    if (dataset === undefined) {
      dataset = open
        ? open(reference)
        : access(path).then(
            () => openDataset(path),
            () => Promise.reject(new Error(`the reference file ${path} does not exist`)),
          );
      // A failed open is remembered too, so every expectation naming it reports the same message.
      dataset.catch(() => undefined);
      this.opened.set(path, dataset);
    }
    return dataset;
  }

  async closeAll(): Promise<void> {
    const settled = await Promise.allSettled(this.opened.values());
    for (const result of settled) if (result.status === "fulfilled") await result.value.close();
    this.opened.clear();
  }
}
