import { invalidParameter } from "../../core/errors.js";
import { readIdentifier, type RawIdentifier } from "../../tracking/search/run-identifier.js";
import type { Scanner } from "../../tracking/search/scanner.js";

/**
 * `<entity>.<key>` in the registry grammars (MLflow's SearchModelUtils / SearchModelVersionUtils): a bare key is an
 * attribute; the entity is `attribute`, `tag` or `tags`; keys may be quoted with backticks or double quotes.
 */

export type RegistryEntity = "attribute" | "tag";

/** Python's repr of a set of strings, which MLflow's messages print; the order is Cairn's (Python's varies). */
export const pythonSet = (values: readonly string[]): string => `{${values.map((v) => `'${v}'`).join(", ")}}`;

/** Python's repr of a list of strings, as in MLflow's duplicate order_by message. */
export const pythonList = (values: readonly string[]): string => `[${values.map((v) => `'${v}'`).join(", ")}]`;

export const readRegistryIdentifier = (scanner: Scanner): RawIdentifier => {
  scanner.skipWhitespace();
  const ch = scanner.peek();
  if (ch !== '"' && ch !== "`" && !scanner.isWordChar(ch)) {
    throw scanner.fail(`Invalid comparison clause. Expected 'Identifier' found '${scanner.tokenAt() || "nothing"}'`);
  }
  return readIdentifier(scanner);
};

export const resolveRegistryEntity = (raw: RawIdentifier): RegistryEntity => {
  if (raw.entity === undefined || raw.entity === "attribute") return "attribute";
  if (raw.entity === "tag" || raw.entity === "tags") return "tag";
  throw invalidParameter(`Invalid entity type '${raw.entity}'. Valid entity types are ('attribute', 'tag', 'tags')`);
};
