import type { Command } from "commander";
import type { LocalAction } from "./auth-commands.js";
import { UsageError } from "./errors.js";

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const db = () => import("./commands/db.js");

/** `cairn db upgrade|migrate`: on the database itself, no server (as `mlflow db upgrade`). */
export const registerDbCommands = (program: Command, localAction: LocalAction): void => {
  const group = program.command("db").description("the metadata database: upgrade its schema, or move it from SQLite to PostgreSQL");
  group
    .command("upgrade")
    .description("bring a database's schema to this Cairn's version (SQLite or PostgreSQL); stop servers first")
    .requiredOption("--backend-store-uri <uri>", "sqlite:///path.db or postgresql://USER:PASS@HOST:PORT/DB")
    .option("--json", "print JSON")
    .action(localAction(async (o) => (await db()).dbUpgrade(str(o.backendStoreUri) ?? "")));
  group
    .command("migrate")
    .description("copy every entity of a SQLite database (audit chain included) into an empty PostgreSQL database, then verify it; re-run to resume")
    .requiredOption("--from <uri>", "the SQLite database: sqlite:///relative.db or sqlite:////absolute.db")
    .requiredOption("--to <uri>", "the PostgreSQL database: postgresql://USER:PASS@HOST:PORT/DB (empty, or a migration to resume)")
    .option("--chunk-rows <n>", "rows per committed chunk (default: 5000)")
    .option("--json", "print JSON")
    .action(
      localAction(async (o) => {
        const from = str(o.from);
        const to = str(o.to);
        if (from === undefined || to === undefined) throw new UsageError("--from and --to are required");
        return (await db()).dbMigrate({ from, to, ...(str(o.chunkRows) !== undefined ? { chunkRows: str(o.chunkRows) as string } : {}) });
      }),
    );
};

/** `cairn gc`: MLflow's, on the database and artifact store themselves. */
export const registerGcCommand = (program: Command, localAction: LocalAction): void => {
  program
    .command("gc")
    .description("permanently remove deleted runs and experiments (rows and artifacts) and unfinished uploads; never what a model version, deployment, monitor or lineage needs")
    .option("--older-than <age>", "only what was deleted at least this long ago: #d#h#m#s, e.g. 30d (default: any age)")
    .option("--run-ids <ids>", "only these deleted runs, comma-separated (experiments are then left alone unless --experiment-ids)")
    .option("--experiment-ids <ids>", "only these deleted experiments (with all their runs), comma-separated")
    .option("--backend-store-uri <uri>", "the metadata store (default: sqlite:///cairn-data/cairn.db)")
    .option("--artifacts-destination <path>", "the artifact store (default: ./cairn-data/artifacts)")
    .option("--dry-run", "only list what would be removed")
    .option("--json", "print JSON")
    .action(
      localAction(async (o) =>
        (await import("./commands/gc.js")).gcCommand({
          ...(str(o.olderThan) !== undefined ? { olderThan: str(o.olderThan) as string } : {}),
          ...(str(o.runIds) !== undefined ? { runIds: str(o.runIds) as string } : {}),
          ...(str(o.experimentIds) !== undefined ? { experimentIds: str(o.experimentIds) as string } : {}),
          ...(str(o.backendStoreUri) !== undefined ? { backendStoreUri: str(o.backendStoreUri) as string } : {}),
          ...(str(o.artifactsDestination) !== undefined ? { artifactsDestination: str(o.artifactsDestination) as string } : {}),
          dryRun: o.dryRun === true,
        }),
      ),
    );
};
