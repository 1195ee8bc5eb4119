import { realpath } from "node:fs/promises";
import path from "node:path";
import { invalidPath } from "../../../artifacts/artifact-path.js";

/**
 * The second check of path confinement, after the lexical one: symbolic links inside the root may point anywhere,
 * so the deepest part of the target that exists is resolved with realpath and must still lie inside the root.
 * A target that does not exist yet cannot hide a link in its missing tail, so checking its deepest existing
 * ancestor is enough. (A link swapped in between this check and the use is out of scope: the root belongs to the
 * server, and whoever can write links into it can already read everything the server can.)
 */
export interface ConfinedPath {
  /** Lexical absolute path: root + key. Operations that must not follow a final link (rename, rm) use it. */
  lexical: string;
  /** realpath of the target when it exists. */
  real?: string;
}

const isInside = (root: string, candidate: string): boolean =>
  candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

const isMissing = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
};

/** rootReal must itself be a realpath. key must be normalised. */
export const confine = async (rootReal: string, key: string, field: string): Promise<ConfinedPath> => {
  const lexical = key === "" ? rootReal : path.join(rootReal, ...key.split("/"));
  let probe = lexical;
  for (;;) {
    try {
      const resolved = await realpath(probe);
      if (!isInside(rootReal, resolved)) {
        throw invalidPath(field, key, "it resolves outside the artifact root through a symbolic link");
      }
      return probe === lexical ? { lexical, real: resolved } : { lexical };
    } catch (error) {
      if (!isMissing(error)) throw error;
      const parent = path.dirname(probe);
      // The root exists (created at open), so the walk ends there at the latest.
      if (parent === probe || !isInside(rootReal, parent)) throw error;
      probe = parent;
    }
  }
};
