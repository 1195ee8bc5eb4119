import { describe, expect, it } from "vitest";
import { CairnError } from "../core/errors.js";
import { loggedModelSourceArtifactUri, parseModelVersionSource, runSourceArtifactUri } from "./source-uri.js";

const refusal = (source: string): string => {
  try {
    parseModelVersionSource(source);
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).code).toBe("INVALID_PARAMETER_VALUE");
    expect((error as CairnError).message.startsWith(`Invalid model version source: '${source}'.`)).toBe(true);
    return (error as CairnError).message.slice(`Invalid model version source: '${source}'. `.length);
  }
  throw new Error(`${source} was accepted`);
};

describe("model version sources inside the artifact store are accepted", () => {
  it("runs:/<run_id>/<path>, with the path normalised", () => {
    expect(parseModelVersionSource("runs:/0123abcd/model")).toEqual({ kind: "runs", runId: "0123abcd", path: "model" });
    expect(parseModelVersionSource("runs:/abc/nested/./model/")).toEqual({ kind: "runs", runId: "abc", path: "nested/model" });
    expect(parseModelVersionSource("runs:/abc")).toEqual({ kind: "runs", runId: "abc", path: "" });
  });

  it("mlflow-artifacts:/ with or without an authority, which is dropped", () => {
    expect(parseModelVersionSource("mlflow-artifacts:/0/abc/artifacts/model")).toEqual({ kind: "artifacts", key: "0/abc/artifacts/model" });
    expect(parseModelVersionSource("mlflow-artifacts://other-host:5000/0/abc/artifacts/model")).toEqual({
      kind: "artifacts",
      key: "0/abc/artifacts/model",
    });
    expect(parseModelVersionSource("MLFLOW-ARTIFACTS:/1/r/artifacts/m y")).toEqual({ kind: "artifacts", key: "1/r/artifacts/m y" });
  });

  it("models:/<name>/<version> (copy_model_version's source)", () => {
    expect(parseModelVersionSource("models:/churn/3")).toEqual({ kind: "models", name: "churn", version: "3" });
    expect(parseModelVersionSource("models:/churn/007")).toEqual({ kind: "models", name: "churn", version: "7" });
  });

  it("models:/<model_id> (MLflow 3's register_model of a logged model)", () => {
    expect(parseModelVersionSource(`models:/${MODEL_ID}`)).toEqual({ kind: "logged-model", modelId: MODEL_ID });
    expect(parseModelVersionSource(`MODELS:/${MODEL_ID}`)).toEqual({ kind: "logged-model", modelId: MODEL_ID });
  });
});

const MODEL_ID = "m-0123456789abcdef0123456789abcdef";
const MODELS_REFUSAL =
  "A models: source must name a registered model version as models:/<name>/<version> or a logged model as " +
  "models:/<model_id> (m- followed by 32 lowercase hex characters); aliases, stages and 'latest' would make the " +
  "version's files change when the alias moves.";

describe("models: sources that are neither a version nor a logged model id are refused", () => {
  it("malformed ids, a bare name, traversal and trailing segments, each with the exact message", () => {
    for (const source of [
      "models:/m-0123",
      `models:/${MODEL_ID.toUpperCase()}`,
      `models:/${MODEL_ID}0`,
      "models:/m-0123456789abcdef0123456789abcdeg",
      "models:/churn",
      "models:/..",
      `models:/${MODEL_ID}/..`,
      `models:/${MODEL_ID}/artifacts`,
      `models:/${MODEL_ID}@champion`,
      `models://${MODEL_ID}`,
      `models:${MODEL_ID}`,
    ]) {
      expect(refusal(source), source).toBe(MODELS_REFUSAL);
    }
    expect(refusal(`models:/../${MODEL_ID}`)).toBe(MODELS_REFUSAL);
    expect(refusal(`models:/${MODEL_ID}/%2e%2e`)).toBe("Percent-encoded characters are not allowed: a source is stored and used as written.");
  });
});

describe("logged model sources resolve through the logged model's artifact_uri", () => {
  it("an mlflow-artifacts: folder is the version's files", () => {
    expect(loggedModelSourceArtifactUri(`models:/${MODEL_ID}`, MODEL_ID, `mlflow-artifacts:/3/models/${MODEL_ID}/artifacts`)).toBe(
      `mlflow-artifacts:/3/models/${MODEL_ID}/artifacts`,
    );
    expect(loggedModelSourceArtifactUri(`models:/${MODEL_ID}`, MODEL_ID, `mlflow-artifacts://host:5000/3/models/${MODEL_ID}/artifacts/`)).toBe(
      `mlflow-artifacts:/3/models/${MODEL_ID}/artifacts`,
    );
  });

  it("a logged model whose files are outside this server's artifact store, or at its root, is refused", () => {
    expect(() => loggedModelSourceArtifactUri(`models:/${MODEL_ID}`, MODEL_ID, "s3://bucket/3/models/x/artifacts")).toThrow(
      `Invalid model version source: 'models:/${MODEL_ID}'. The logged model '${MODEL_ID}' keeps its files at 's3://bucket/3/models/x/artifacts', which is not inside this server's artifact store (mlflow-artifacts:).`,
    );
    expect(() => loggedModelSourceArtifactUri(`models:/${MODEL_ID}`, MODEL_ID, "mlflow-artifacts:/0/../../etc")).toThrow(
      `Invalid model version source: 'models:/${MODEL_ID}'. The logged model '${MODEL_ID}' keeps its files at 'mlflow-artifacts:/0/../../etc', which is not inside this server's artifact store (mlflow-artifacts:).`,
    );
    expect(() => loggedModelSourceArtifactUri(`models:/${MODEL_ID}`, MODEL_ID, "mlflow-artifacts:/")).toThrow(
      `Invalid model version source: 'models:/${MODEL_ID}'. The logged model '${MODEL_ID}' names the root of the artifact store as its files.`,
    );
  });
});

describe("sources outside the artifact store are refused (CVE-2024-1558 class), each with its reason", () => {
  it("local paths, absolute or relative, POSIX or Windows", () => {
    expect(refusal("/etc/passwd")).toMatch(/^A local path is not allowed/);
    expect(refusal("model")).toMatch(/^A local path is not allowed/);
    expect(refusal("./mlruns/0/abc/artifacts/model")).toMatch(/^A local path is not allowed/);
    expect(refusal("../../etc")).toMatch(/^A local path is not allowed/);
    expect(refusal("C:/Users/x/model")).toMatch(/^A local path is not allowed/);
    expect(refusal("C:\\Users\\x\\model")).toBe("Backslashes are not allowed.");
  });

  it("file: URIs in every spelling", () => {
    expect(refusal("file:///etc/passwd")).toMatch(/^A file: URI names a path on the server's disk/);
    expect(refusal("file:/root/.ssh")).toMatch(/^A file: URI/);
    expect(refusal("FILE://localhost/etc")).toMatch(/^A file: URI/);
  });

  it("other schemes: http(s), s3, ftp, dbfs, gs", () => {
    for (const source of ["http://evil.example/model", "https://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/x", "s3://bucket/model", "ftp://host/m", "dbfs:/m", "gs://b/m"]) {
      const scheme = source.slice(0, source.indexOf(":")).toLowerCase();
      expect(refusal(source)).toMatch(new RegExp(`^The scheme '${scheme}:' names storage outside this server's artifact store`));
    }
  });

  it("'..' traversal, plain or encoded once, twice, or with a fragment or query trick", () => {
    expect(refusal("mlflow-artifacts:/0/../../etc")).toMatch(/'\.\.' segments are not allowed/);
    expect(refusal("mlflow-artifacts://host/../etc")).toMatch(/'\.\.' segments are not allowed/);
    expect(refusal("runs:/abc/../../other/artifacts")).toMatch(/'\.\.' segments are not allowed/);
    expect(refusal("mlflow-artifacts:/0/%2e%2e/%2e%2e/etc")).toBe(
      "Percent-encoded characters are not allowed: a source is stored and used as written.",
    );
    expect(refusal("mlflow-artifacts:/0/..%252f..%252fetc")).toMatch(/^Percent-encoded/);
    expect(refusal("mlflow-artifacts:/0/x#/../../etc")).toBe("A query ('?') or a fragment ('#') is not allowed.");
    expect(refusal("mlflow-artifacts:/0/x?a=../../etc")).toBe("A query ('?') or a fragment ('#') is not allowed.");
    expect(refusal("mlflow-artifacts:/0/..\\..\\etc")).toBe("Backslashes are not allowed.");
  });

  it("NUL and control characters", () => {
    expect(refusal("mlflow-artifacts:/0/model\u0000.txt")).toBe("Control characters are not allowed.");
    expect(refusal("runs:/abc/model\n")).toBe("Control characters are not allowed.");
  });

  it("the artifact store's root, an absolute path behind the scheme, malformed runs: and models: URIs", () => {
    expect(refusal("mlflow-artifacts:/")).toMatch(/^The root of the artifact store is not a model's files/);
    expect(refusal("runs://abc/model")).toBe("A runs: source must be of the form runs:/<run_id>/<path>.");
    expect(refusal("runs:/-bad/model")).toBe("'-bad' is not a valid run ID.");
    expect(refusal("runs:abc/model")).toBe("A runs: source must be of the form runs:/<run_id>/<path>.");
    expect(refusal("models:/churn@champion")).toBe(MODELS_REFUSAL);
    expect(refusal("models:/churn/Production")).toMatch(/^A models: source must name/);
    expect(refusal("models:/churn/latest")).toMatch(/^A models: source must name/);
  });

  it("over-long sources", () => {
    const long = `mlflow-artifacts:/${"a".repeat(600)}`;
    // The message shows the first 300 characters only.
    expect(() => parseModelVersionSource(long)).toThrow(
      `Invalid model version source: '${long.slice(0, 300)}...'. A source may be at most 500 characters long.`,
    );
  });
});

describe("run sources resolve through the run's artifact root", () => {
  it("joins the root and the path as an mlflow-artifacts: URI", () => {
    expect(runSourceArtifactUri("runs:/r1/model", "r1", "mlflow-artifacts:/0/r1/artifacts", "model")).toBe(
      "mlflow-artifacts:/0/r1/artifacts/model",
    );
    expect(runSourceArtifactUri("runs:/r1", "r1", "mlflow-artifacts:/0/r1/artifacts", "")).toBe("mlflow-artifacts:/0/r1/artifacts");
  });

  it("refuses a run whose artifact root is not served by this server's proxy", () => {
    expect(() => runSourceArtifactUri("runs:/r1/model", "r1", "file:///srv/mlruns/0/r1/artifacts", "model")).toThrow(
      "Invalid model version source: 'runs:/r1/model'. The run's artifact_uri 'file:///srv/mlruns/0/r1/artifacts' is not inside this server's artifact store (mlflow-artifacts:).",
    );
  });
});
