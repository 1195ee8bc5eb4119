import { describe, expect, it } from "vitest";
import { serverConfig } from "./server.js";

describe("cairn server flags", () => {
  it("reads --max-trace-json-bytes as a positive byte count, naming the flag otherwise", () => {
    expect(serverConfig({ maxTraceJsonBytes: "1048576" }).maxTraceJsonBytes).toBe(1_048_576);
    expect(serverConfig({}).maxTraceJsonBytes).toBeUndefined();
    for (const bad of ["0", "-1", "1.5", "16MB", ""]) {
      expect(() => serverConfig({ maxTraceJsonBytes: bad }), bad).toThrow(`--max-trace-json-bytes must be a positive integer number of bytes, got '${bad}'`);
    }
  });

  it("reads the prediction log's retention and record limit, naming the flag of a bad value", () => {
    const config = serverConfig({ predictionLogMaxAge: "7d", predictionLogMaxRows: "250000", predictionLogMaxRecordBytes: "4096" });
    expect([config.predictionLogMaxAgeMs, config.predictionLogMaxRows, config.predictionLogMaxRecordBytes]).toEqual([604_800_000, 250_000, 4096]);
    expect(["12h", "30m", "90s", "500ms"].map((age) => serverConfig({ predictionLogMaxAge: age }).predictionLogMaxAgeMs)).toEqual([43_200_000, 1_800_000, 90_000, 500]);
    expect(serverConfig({}).predictionLogMaxAgeMs).toBeUndefined();
    for (const bad of ["0d", "7", "7 d", "1w", "-1h", "1.5h", "", "99999999999999999d"]) {
      expect(() => serverConfig({ predictionLogMaxAge: bad }), bad).toThrow(
        `--prediction-log-max-age must be a positive duration such as 30d, 12h, 30m, 90s or 500ms, got '${bad}'`,
      );
    }
    for (const bad of ["0", "1e6", "-5", "1,000"]) {
      expect(() => serverConfig({ predictionLogMaxRows: bad }), bad).toThrow(`--prediction-log-max-rows must be a positive integer, got '${bad}'`);
    }
    expect(() => serverConfig({ predictionLogMaxRecordBytes: "64KB" })).toThrow("--prediction-log-max-record-bytes must be a positive integer number of bytes, got '64KB'");
  });
});

describe("cairn server --default-permission", () => {
  it("reads one of MLflow's permission names, in any case, naming the flag otherwise", () => {
    expect(serverConfig({ defaultPermission: "NO_PERMISSIONS" }).defaultPermission).toBe("NO_PERMISSIONS");
    expect(serverConfig({ defaultPermission: " edit " }).defaultPermission).toBe("EDIT");
    expect(serverConfig({}).defaultPermission).toBeUndefined();
    for (const bad of ["ADMIN", "", "read-only"]) {
      expect(() => serverConfig({ defaultPermission: bad }), bad).toThrow(`--default-permission must be READ, EDIT, MANAGE or NO_PERMISSIONS, got '${bad}'`);
    }
  });
});

describe("cairn server webhook target flags", () => {
  it("reads --webhook-allowed-targets as a comma-separated list, refusing a malformed entry by name", () => {
    expect(serverConfig({ webhookAllowedTargets: " 10.0.0.0/8, hooks.internal ,,::1" }).webhookAllowedTargets).toEqual(["10.0.0.0/8", "hooks.internal", "::1"]);
    expect(serverConfig({}).webhookAllowedTargets).toBeUndefined();
    expect(() => serverConfig({ webhookAllowedTargets: "10.0.0.0/8,10.0.0/8" })).toThrow("--webhook-allowed-targets entry '10.0.0/8' is not a valid CIDR range.");
    expect(() => serverConfig({ webhookAllowedTargets: "hooks_internal" })).toThrow("--webhook-allowed-targets entry 'hooks_internal' is not a host name, an address or a CIDR range.");
  });

  it("reads --webhook-allow-http as a switch (default off)", () => {
    expect(serverConfig({ webhookAllowHttp: true }).webhookAllowHttp).toBe(true);
    expect(serverConfig({}).webhookAllowHttp).toBeUndefined();
  });
});

describe("cairn server limit flags", () => {
  it("reads the timeouts in seconds (0: no limit) and the connection cap, keeping defaults for flags not given", () => {
    expect(serverConfig({}).limits).toEqual({});
    expect(
      serverConfig({ headersTimeout: "10", bodyIdleTimeout: "0", requestTimeout: "7200", keepAliveTimeout: "5", maxConnectionsPerAddress: "32" }).limits,
    ).toEqual({ headersTimeoutMs: 10_000, bodyIdleTimeoutMs: 0, requestTimeoutMs: 7_200_000, keepAliveTimeoutMs: 5000, maxConnectionsPerAddress: 32 });
  });

  it("names the flag of a bad value", () => {
    for (const bad of ["-1", "1.5", "10s", "", "604801"]) {
      expect(() => serverConfig({ bodyIdleTimeout: bad }), bad).toThrow(
        `--body-idle-timeout must be a whole number of seconds from 0 (no limit) to 604800, got '${bad}'`,
      );
    }
    expect(() => serverConfig({ maxConnectionsPerAddress: "many" })).toThrow("--max-connections-per-address must be a whole number (0: no limit), got 'many'");
  });
});

describe("cairn server model execution flags", () => {
  it("reads --inference-timeout in seconds, --max-output-elements and --model-threads; none given keeps the defaults", () => {
    const config = serverConfig({ inferenceTimeout: "5", maxOutputElements: "1000000", modelThreads: "2" });
    expect([config.inferenceTimeoutMs, config.maxOutputElements, config.modelThreads]).toEqual([5000, 1_000_000, 2]);
    const defaults = serverConfig({});
    expect([defaults.inferenceTimeoutMs, defaults.maxOutputElements, defaults.modelThreads]).toEqual([undefined, undefined, undefined]);
  });

  it("refuses 0, fractions and values above the bound, naming the flag", () => {
    expect(() => serverConfig({ inferenceTimeout: "0" })).toThrow("--inference-timeout must be a positive integer, got '0'");
    expect(() => serverConfig({ inferenceTimeout: "3601" })).toThrow("--inference-timeout must be at most 3600, got '3601'");
    expect(() => serverConfig({ maxOutputElements: "1.5" })).toThrow("--max-output-elements must be a positive integer, got '1.5'");
    expect(() => serverConfig({ maxOutputElements: "100000001" })).toThrow("--max-output-elements must be at most 100000000, got '100000001'");
    expect(() => serverConfig({ modelThreads: "257" })).toThrow("--model-threads must be at most 256, got '257'");
  });
});

describe("cairn server body limit flags", () => {
  it("reads --max-scoring-body-bytes as a positive byte count, naming the flag otherwise", () => {
    expect(serverConfig({ maxScoringBodyBytes: "1048576" }).maxScoringBodyBytes).toBe(1_048_576);
    expect(serverConfig({}).maxScoringBodyBytes).toBeUndefined();
    expect(() => serverConfig({ maxScoringBodyBytes: "20MB" })).toThrow("--max-scoring-body-bytes must be a positive integer number of bytes, got '20MB'");
  });
});

describe("cairn server artifact quota flags", () => {
  it("reads --max-artifact-file-bytes and --max-experiment-artifact-bytes as byte counts, 0 switching a quota off", () => {
    const config = serverConfig({ maxArtifactFileBytes: "1073741824", maxExperimentArtifactBytes: "0" });
    expect([config.maxArtifactFileBytes, config.maxExperimentArtifactBytes]).toEqual([1_073_741_824, 0]);
    expect(serverConfig({}).maxArtifactFileBytes).toBeUndefined();
    expect(() => serverConfig({ maxExperimentArtifactBytes: "10GB" })).toThrow("--max-experiment-artifact-bytes must be a whole number (0: no limit), got '10GB'");
  });

  it("reads the audit digest flags and the benchmark-only --no-tracking-audit, naming the flag when malformed", () => {
    expect(serverConfig({ auditDigestEveryWrites: "500", auditDigestInterval: "30s" }).audit).toEqual({ digestEveryWrites: 500, digestIntervalMs: 30_000 });
    expect(serverConfig({ trackingAudit: false }).audit).toEqual({ trackingAuditOff: true });
    expect(serverConfig({ trackingAudit: true }).audit).toBeUndefined();
    expect(serverConfig({}).audit).toBeUndefined();
    expect(() => serverConfig({ auditDigestEveryWrites: "0" })).toThrow("--audit-digest-every-writes must be a positive integer, got '0'");
    expect(() => serverConfig({ auditDigestInterval: "soon" })).toThrow(
      "--audit-digest-interval must be a positive duration such as 30d, 12h, 30m, 90s or 500ms, got 'soon'",
    );
  });

  it("keeps a warm standby per deployment unless --no-deployment-standby", () => {
    expect(serverConfig({}).deploymentStandby).toBeUndefined();
    expect(serverConfig({ deploymentStandby: true }).deploymentStandby).toBeUndefined();
    expect(serverConfig({ deploymentStandby: false }).deploymentStandby).toBe(false);
  });
});

describe("cairn server --artifacts-destination s3://", () => {
  it("reads MLflow's S3 variables once into the config, path-style endpoint, region defaulting to us-east-1", () => {
    const env = { MLFLOW_S3_ENDPOINT_URL: "http://minio:9000", AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "s3cr3t" };
    const config = serverConfig({ artifactsDestination: "s3://ml-artifacts/team/cairn" }, env);
    expect(config.artifactsDestination).toBe("s3://ml-artifacts/team/cairn");
    expect(config.s3).toEqual({ endpointUrl: "http://minio:9000", credentials: { accessKeyId: "AKIA", secretAccessKey: "s3cr3t" }, region: "us-east-1" });
    expect(serverConfig({ artifactsDestination: "s3://ml-artifacts" }, { AWS_REGION: "eu-west-1", MLFLOW_S3_IGNORE_TLS: "true" }).s3).toEqual({
      region: "eu-west-1",
      ignoreTls: true,
    });
    // A local destination reads nothing of S3.
    expect(serverConfig({ artifactsDestination: "/srv/artifacts" }, env).s3).toBeUndefined();
  });

  it("refuses a malformed s3:// URI or half-set credentials before anything opens, without echoing a secret", () => {
    const cases: [string, string][] = [
      ["s3://Bad_Bucket/x", "'Bad_Bucket' is not a valid bucket name"],
      ["s3://ab/x", "'ab' is not a valid bucket name"],
      ["s3://bucket/../x", "the prefix is not a valid path"],
      ["s3://bucket/x?versionId=1", "query strings and fragments are not allowed"],
      ["s3://key:secret@bucket/x", "credentials and ports do not belong in the URI"],
      ["s3://", "is not a valid bucket name"],
    ];
    for (const [destination, message] of cases) {
      expect(() => serverConfig({ artifactsDestination: destination }, {}), destination).toThrow(message);
    }
    expect(() => serverConfig({ artifactsDestination: "s3://bucket/x" }, { AWS_ACCESS_KEY_ID: "AKIA" })).toThrow("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
    expect(() => serverConfig({ artifactsDestination: "s3://bucket/x" }, { MLFLOW_S3_ENDPOINT_URL: "ftp://host" })).toThrow("must be an http:// or https:// URL");
    expect(() => serverConfig({ artifactsDestination: "s3://bucket/x" }, { MLFLOW_S3_ENDPOINT_URL: "http://u:pw@host" })).toThrow("must not hold credentials");
  });
});
