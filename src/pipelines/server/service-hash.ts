import { invalidParameter } from "../../core/errors.js";
import { isObjectHash } from "../data/hash-info.js";

/** Hashes in a path or a list: 64 lowercase hex, with ".dir" for a directory manifest. */
export const parseObjectHash = (value: string, field: string): string => {
  if (!isObjectHash(value)) {
    throw invalidParameter(`Invalid value '${String(value).slice(0, 100)}' for parameter '${field}' supplied: expected 64 lowercase hex digits (with '.dir' for a directory manifest).`);
  }
  return value;
};

