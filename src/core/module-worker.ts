import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * A worker thread running the module `name` (without extension) beside `base` (the caller's import.meta.url): the
 * built package runs the .js; from source (tests, tsx) the worker loads tsx's loader first, then the .ts.
 */
export const startModuleWorker = (base: string, name: string, options: Omit<WorkerOptions, "eval"> = {}): Worker => {
  const built = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(built))) return new Worker(built, options);
  const source = new URL(`./${name}.ts`, base);
  const bootstrap = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
};
