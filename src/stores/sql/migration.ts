/** One step of a schema, per dialect. A migration is never edited once released: a change is a new entry. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** The highest version of a migration list. */
export const latestVersion = (migrations: readonly Migration[]): number => migrations.reduce((max, m) => Math.max(max, m.version), 0);
