import { CairnError, invalidParameter, notFound } from "../../core/errors.js";
import type { MonitorDependencies } from "./dependencies.js";
import { CHECK_NAMES, type CheckName, type Monitor, type MonitorSpec } from "./monitor.js";

const CHECK_KEYS: Record<CheckName, keyof Monitor["checks"]> = { drift: "drift", skew: "skew", data_tests: "dataTests", quality: "quality" };

/** The checks a monitor configures, in the order they run. */
export const configuredChecks = (spec: MonitorSpec): CheckName[] => CHECK_NAMES.filter((check) => spec.checks[CHECK_KEYS[check]] !== undefined);

const list = (names: readonly string[]): string => (names.length > 20 ? `${names.slice(0, 20).join(", ")}, ...` : names.join(", "));

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Refuses, when a monitor is created, what would make its checks unable to run: each problem is a 4xx naming the
 * field (a configuration error found at the first run would be reported as a data alert, or pass by comparing
 * nothing). Checked against the version the deployment serves now, as registered:
 * - `features`: required when the signature names no features; otherwise each must be one of the signature's.
 * - drift against `training_profile`, and skew: the version must have a training profile.
 * - drift's `reference.path`: a readable file sharing at least one monitored feature.
 * - drift's `methods` and skew's `thresholds`: keys must be monitored features.
 * - `data_tests.suite`: must parse.
 */
export const validateMonitorSpec = async (spec: MonitorSpec, deps: MonitorDependencies): Promise<void> => {
  const version = await deps.servedVersion(spec.deployment);
  if (version === undefined) throw notFound(`Deployment '${spec.deployment}' not found.`);
  const model = await deps.model(spec.deployment, version);
  const what = `version ${version} of the model deployment '${spec.deployment}' serves`;

  const signature = model.signatureColumns;
  let features: readonly string[];
  if (signature === undefined) {
    if (spec.features === undefined) {
      throw invalidParameter(
        `Monitor 'features' is required: ${what} has no signature naming its features; give the names of its input columns in order (CLI --features a,b,c).`,
      );
    }
    features = spec.features;
  } else {
    const unknown = (spec.features ?? []).filter((f) => !signature.includes(f));
    if (unknown.length > 0) {
      throw invalidParameter(`Monitor 'features' names ${list(unknown.map((f) => `'${f.slice(0, 100)}'`))}, not in the signature of ${what} (${list(signature)}).`);
    }
    features = spec.features ?? signature;
  }

  const { drift, skew, dataTests } = spec.checks;
  if (drift?.reference === "training_profile" && model.trainingProfile === undefined) {
    throw invalidParameter(
      `Monitor 'checks.drift.reference' is training_profile, but ${what} has no training profile; attach one to the version or give a reference file.`,
    );
  }
  if (skew !== undefined && model.trainingProfile === undefined) {
    throw invalidParameter(`Monitor 'checks.skew' compares with the training profile, but ${what} has none; attach one to the version first.`);
  }
  const known = new Set(features);
  const unknownKeys = (map: Record<string, unknown> | undefined, field: string): void => {
    for (const key of Object.keys(map ?? {})) {
      if (!known.has(key)) throw invalidParameter(`Monitor '${field}.${key.slice(0, 100)}' names a feature the monitor does not watch; its features are ${list(features)}.`);
    }
  };
  unknownKeys(drift?.methods, "checks.drift.methods");
  unknownKeys(skew?.thresholds, "checks.skew.thresholds");

  if (drift !== undefined && drift.reference !== "training_profile") {
    let columns: string[];
    try {
      const reference = await deps.openFile(drift.reference.path);
      columns = reference.columns.map((c) => c.name);
      await reference.close();
    } catch (error) {
      throw invalidParameter(`Monitor 'checks.drift.reference.path' cannot be read: ${reason(error)}`);
    }
    if (!columns.some((c) => known.has(c))) {
      throw invalidParameter(
        `Monitor 'checks.drift.reference.path' has none of the monitored features (${list(features)}); its columns are ${list(columns)}.`,
      );
    }
  }
  if (dataTests !== undefined) {
    try {
      await deps.parseSuite(dataTests.suite);
    } catch (error) {
      if (error instanceof CairnError) throw invalidParameter(`Monitor 'checks.data_tests.suite' does not parse: ${error.message}`);
      throw error;
    }
  }
};
