import { realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { invalidParameter, notFound } from "../../core/errors.js";

/**
 * Resolves a path that an MLmodel file names (flavor data, input example) inside the model directory. A model
 * directory comes from an artifact store anyone with write access to a run can fill, so `data: ../../etc/passwd`
 * or a symlink pointing outside must not make the server open files elsewhere.
 */
export async function confinedPath(modelDir: string, name: string, what: string): Promise<string> {
  if (name.length === 0 || isAbsolute(name) || name.includes("\0")) {
    throw invalidParameter(`${what} '${name}' must be a relative path inside the model directory`);
  }
  const root = await realpath(modelDir);
  const outside = (p: string): boolean => {
    const rel = relative(root, p);
    return rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  };
  const lexical = resolve(root, name);
  if (outside(lexical)) throw invalidParameter(`${what} '${name}' points outside the model directory`);
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    throw notFound(`${what} '${name}' does not exist in the model directory ${modelDir}`);
  }
  if (outside(real)) throw invalidParameter(`${what} '${name}' points outside the model directory (through a symlink)`);
  return real;
}
