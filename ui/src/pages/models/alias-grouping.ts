import type { RegisteredModelAlias } from "../../api/entities";

/** Versions are numbers written as strings: "10" comes after "9". */
export const compareVersionsDescending = (a: string, b: string): number => Number(b) - Number(a) || (a < b ? 1 : a > b ? -1 : 0);

export interface VersionAliases {
  version: string;
  aliases: string[];
}

/**
 * A model's aliases grouped by the version they point to: newest version first, aliases in name order within a
 * version, so that the same model always shows its badges in the same order.
 */
export const groupAliasesByVersion = (aliases: readonly RegisteredModelAlias[]): VersionAliases[] => {
  const byVersion = new Map<string, string[]>();
  for (const { alias, version } of aliases) {
    const list = byVersion.get(version);
    if (list) list.push(alias);
    else byVersion.set(version, [alias]);
  }
  return [...byVersion.entries()]
    .sort(([a], [b]) => compareVersionsDescending(a, b))
    .map(([version, names]) => ({ version, aliases: [...names].sort() }));
};

/** The same, flattened back to (alias, version) pairs in display order. */
export const orderedAliases = (aliases: readonly RegisteredModelAlias[]): RegisteredModelAlias[] =>
  groupAliasesByVersion(aliases).flatMap(({ version, aliases: names }) => names.map((alias) => ({ alias, version })));
