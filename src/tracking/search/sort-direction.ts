import { invalidParameter } from "../../core/errors.js";
import type { Scanner } from "./scanner.js";

/** The optional `ASC`/`DESC` that ends an order_by clause (ascending when absent), for runs and experiments alike. */
export function readSortDirection(scanner: Scanner, clause: string, unparsable: () => Error): boolean {
  if (scanner.atEnd()) return true;
  const direction = scanner.readWord()?.toUpperCase();
  if (direction !== "ASC" && direction !== "DESC") {
    throw invalidParameter(`Invalid ordering key in order_by clause '${clause}'.`);
  }
  if (!scanner.atEnd()) throw unparsable();
  return direction === "ASC";
}
