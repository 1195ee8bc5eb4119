/**
 * The parser entries of `cairn data ...`: commands over data files (CSV, Parquet, JSON lines, Arrow) computed in
 * DuckDB. Like the rest of the program, each action loads its command module only when it runs.
 * Each command of the group registers itself here in its own block.
 */
import type { Command } from "commander";
import { str } from "./option-values.js";
import type { DataAction } from "./program.js";

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export const registerDataCommands = (program: Command, dataAction: DataAction): Command => {
  const data = program.command("data").description("data files: profiles, data tests, drift");

  data
    .command("drift")
    .description("drift of every shared column between a reference and a current file, with Evidently's default tests; exit 1 when the dataset drifted")
    .argument("<reference>", "reference data file (CSV, Parquet, JSON lines, Arrow)")
    .argument("<current>", "current data file")
    .option("--report <file>", "also write a self-contained HTML report to this file")
    .option("--column-method <spec>", "column=method[:threshold] (repeatable), e.g. age=psi:0.2 or city=chisquare", collect)
    .option("--drift-share <fraction>", "dataset drift when at least this share of columns drifted (default: 0.5)")
    .option("--columns <names>", "comma-separated columns to compare (default: every column in both files)")
    .option("--prediction <column>", "the prediction column: reported as prediction drift")
    .option("--target <column>", "the target column: reported as target drift")
    .option("--sample-limit <n>", "most raw values read per column for tests that need them (default: 1000000)")
    .option("--json", "print JSON (the versioned drift result)")
    .action(
      dataAction(async (_client, o, reference: string, current: string) =>
        (await import("./commands/data-drift.js")).dataDrift(reference, current, {
          report: str(o.report),
          columnMethod: o.columnMethod as string[] | undefined,
          driftShare: str(o.driftShare),
          columns: str(o.columns),
          prediction: str(o.prediction),
          target: str(o.target),
          sampleLimit: str(o.sampleLimit),
        }),
      ),
    );

  data
    .command("profile")
    .description("profile a data file in DuckDB: types, missing and distinct counts, min/max/mean/std, quantiles, histograms, top values")
    .argument("<file>", "data file (CSV, Parquet, JSON lines)")
    .option("--bins <n>", "histogram bins per numeric column (default: 20)")
    .option("--top-k <n>", "most frequent values kept per categorical column (default: 10)")
    .option("--format <format>", "csv, parquet or jsonl (default: from the file extension)")
    .option("--json", "print the profile JSON (schema_version 1)")
    .action(
      dataAction(async (_client, o, file: string) =>
        (await import("./commands/data-profile.js")).dataProfile(file, { bins: str(o.bins), topK: str(o.topK), format: str(o.format) }),
      ),
    );


  data
    .command("infer-suite")
    .description("derive a data-test suite (YAML, Great Expectations' names) from reference data: columns, types, nulls, ranges, value sets, row count")
    .argument("<file>", "reference data file (CSV, Parquet, JSON lines)")
    .option("-o, --output <file>", "write the suite here (default: print it)")
    .option("--name <name>", "suite name (default: inferred)")
    .option("--max-categories <n>", "text columns with at most this many distinct values get a value set (default: 20)")
    .option("--margin <fraction>", "numeric ranges widen by this share of max - min on each side (default: 0.1)")
    .option("--json", "print the suite as JSON")
    .action(
      dataAction(async (_client, o, file: string) =>
        (await import("./commands/data-infer-suite.js")).dataInferSuite(file, {
          output: str(o.output),
          name: str(o.name),
          maxCategories: str(o.maxCategories),
          margin: str(o.margin),
        }),
      ),
    );

  data
    .command("validate")
    .description("run a data-test suite against a file; exit 1 when an expectation fails")
    .argument("<file>", "data file (CSV, Parquet, JSON lines)")
    .requiredOption("--suite <file>", "suite YAML (see docs/data.md)")
    .option("--json", "print the validation result JSON (schema_version 1)")
    .action(
      dataAction(async (_client, o, file: string) => (await import("./commands/data-validate.js")).dataValidate(file, { suite: String(o.suite) })),
    );

  const profiles = data.command("profiles").description("data profiles kept on the server: attached to runs, a model version's training profile");
  const dataProfiles = () => import("./commands/data-profiles.js");
  profiles
    .command("attach")
    .description("attach a profile to a run (the artifact profiles/NAME.json): a profile JSON, or a data file profiled now")
    .argument("<run-id>", "run id")
    .argument("<name>", "profile name (letters, digits, '_', '-', '.'), e.g. training")
    .option("--profile <file.json>", "a profile JSON, as `cairn data profile FILE --json` prints it")
    .option("--data <file>", "a data file (CSV, Parquet, JSON lines) to profile now")
    .option("--bins <n>", "with --data: histogram bins per numeric column (default: 20)")
    .option("--top-k <n>", "with --data: most frequent values kept per categorical column (default: 10)")
    .option("--format <format>", "with --data: csv, parquet or jsonl (default: from the file extension)")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, runId: string, name: string) =>
        (await dataProfiles()).attachProfile(client, runId, name, {
          profile: str(o.profile),
          data: str(o.data),
          bins: str(o.bins),
          topK: str(o.topK),
          format: str(o.format),
        }),
      ),
    );
  profiles
    .command("show")
    .description("show a profile attached to a run")
    .argument("<run-id>", "run id")
    .argument("<name>", "profile name")
    .option("--json", "print the profile JSON")
    .action(dataAction(async (client, _o, runId: string, name: string) => (await dataProfiles()).showRunProfile(client, runId, name)));
  profiles
    .command("set-training")
    .description("make a run's profile a model version's training profile (the reference of its monitors' drift and skew)")
    .argument("<model>", "registered model name")
    .argument("<version>", "version number")
    .argument("<profile-name>", "name of a profile attached to the run")
    .option("--run-id <id>", "the run the profile is attached to (default: the version's own run)")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, model: string, version: string, profileName: string) =>
        (await dataProfiles()).setTrainingProfile(client, model, version, profileName, { runId: str(o.runId) }),
      ),
    );
  profiles
    .command("training")
    .description("show a model version's training profile")
    .argument("<model>", "registered model name")
    .argument("<version>", "version number")
    .option("--json", "print the profile JSON")
    .action(dataAction(async (client, _o, model: string, version: string) => (await dataProfiles()).showTrainingProfile(client, model, version)));

  return data;
};
