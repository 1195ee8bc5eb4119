import { lstatSync, statSync, type Stats } from "node:fs";

/**
 * What identifies a file's bytes on this machine without reading them: inode, modification time, size. A changed
 * file gets a new mtime (or size); a replaced one a new inode. The mtime is kept to the microsecond: Node's number
 * stats carry it as fractional milliseconds (exact to about 0.25 µs today), and reading them is markedly cheaper
 * than bigint stats (no BigInt or Date objects for 100,000 files), which matters for `cairn status`.
 */
export interface FileKey {
  /** A number while the inode fits in 2^53 (every common filesystem), else the exact bigint. */
  ino: number | bigint;
  mtimeUs: number;
  size: number;
}

/** The key of stats already read for `path`; `follow` says whether they came from stat (true) or lstat. */
export const keyOfStats = (stats: Stats, path: string, follow: boolean): FileKey => {
  const ino = Number.isSafeInteger(stats.ino) ? stats.ino : (follow ? statSync(path, { bigint: true }) : lstatSync(path, { bigint: true })).ino;
  return { ino, mtimeUs: Math.round(stats.mtimeMs * 1000), size: stats.size };
};

/** The key of the file at `path` (through a symlink). */
export const keyOfPath = (path: string): FileKey => keyOfStats(statSync(path), path, true);
