import { tmpdir } from "node:os";
import path from "node:path";
import { migrateArtifacts, type MigrationReport } from "../../artifacts/migrate.js";
import { s3SettingsFromEnv } from "../../core/s3-settings.js";
import { openArtifactStore } from "../../stores/registry.js";
import { UsageError } from "../errors.js";
import { formatSize, type CommandResult } from "../output.js";

export interface ArtifactsMigrateOptions {
  from: string;
  to: string;
  dryRun?: boolean;
  concurrency?: string;
}

export interface ArtifactsMigrateData extends MigrationReport {
  from: string;
  to: string;
}

const sameDestination = (a: string, b: string): boolean => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");

/**
 * `cairn artifacts migrate --from DEST --to s3://BUCKET/PREFIX`: copies every artifact object (checksums compared
 * on the target, re-runnable), with no server involved. S3 settings come from MLflow's variables, read here once.
 * Exit code 1 when any object failed (the report names them); re-running copies what is missing.
 */
export const migrateArtifactsCommand = async (options: ArtifactsMigrateOptions, env: NodeJS.ProcessEnv = process.env): Promise<CommandResult<ArtifactsMigrateData>> => {
  if (sameDestination(options.from, options.to)) throw new UsageError("--from and --to name the same destination");
  const concurrency = options.concurrency === undefined ? 4 : Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError("--concurrency must be an integer from 1 to 64");
  const needsS3 = [options.from, options.to].some((destination) => /^s3:\/\//i.test(destination));
  const storeOptions = {
    ...(needsS3 ? { s3: s3SettingsFromEnv(env) } : {}),
    stagingDir: path.join(tmpdir(), "cairn-s3-staging"),
  };
  const source = await openArtifactStore(options.from, storeOptions);
  const target = await openArtifactStore(options.to, storeOptions);
  const report = await migrateArtifacts(source, target, { dryRun: options.dryRun === true, concurrency });
  const data: ArtifactsMigrateData = { from: options.from, to: options.to, ...report };
  const copiedLabel = report.dryRun ? "would copy" : "copied";
  return {
    data,
    human: {
      kind: "sections",
      sections: [
        {
          title: report.dryRun ? "Artifact migration (dry run: nothing written)" : "Artifact migration",
          pairs: [
            ["from", options.from],
            ["to", options.to],
            ["objects", String(report.objects)],
            [copiedLabel, `${report.copied} (${formatSize(report.bytesCopied)})`],
            ["skipped (same sha256 in target)", `${report.skipped} (${formatSize(report.bytesSkipped)})`],
            ["failed", String(report.failed)],
          ],
        },
        ...(report.failures.length > 0 ? [{ title: "Failures (re-run to retry them)", pairs: report.failures.map((failure): [string, string] => [failure.key, failure.error]) }] : []),
      ],
    },
    ...(report.failed > 0 ? { exitCode: 1 } : {}),
  };
};
