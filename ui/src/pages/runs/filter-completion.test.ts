import { describe, expect, it } from "vitest";
import { acceptCompletion, completionAt } from "./filter-completion";
import type { KnownKeys } from "./run-columns";

const KEYS: KnownKeys = {
  metrics: ["acc", "accuracy", "loss", "val loss"],
  params: ["depth", "learning`rate", "lr"],
  tags: ["mlflow.user", "team"],
};

const offered = (text: string, caret = text.length): string[] | undefined => completionAt(text, caret, KEYS)?.options.map((option) => option.text);

describe("completionAt", () => {
  it("offers an entity's keys after its dot, quoting keys that are not plain names", () => {
    expect(offered("metrics.")).toEqual(["metrics.acc", "metrics.accuracy", "metrics.loss", "metrics.`val loss`"]);
    expect(offered("metrics.ac")).toEqual(["metrics.acc", "metrics.accuracy"]);
    expect(offered("tags.")).toEqual(["tags.`mlflow.user`", "tags.team"]);
  });

  it("reads entity aliases and ignores case", () => {
    expect(offered("param.L")).toEqual(["params.`learning``rate`", "params.lr"]);
    expect(offered("ATTR.st")).toEqual(["attributes.status", "attributes.start_time"]);
  });

  it("matches whole identifiers by prefix first, then bare keys", () => {
    expect(offered("par")).toEqual(["params.depth", "params.`learning``rate`", "params.lr"]);
    expect(offered("st")).toEqual(["attributes.status", "attributes.start_time"]);
    expect(offered("t")).toEqual(["tags.`mlflow.user`", "tags.team"]);
    expect(offered("lo")).toEqual(["metrics.loss"]);
  });

  it("continues a key typed inside backticks", () => {
    expect(offered("metrics.`val")).toEqual(["metrics.`val loss`"]);
    expect(offered("metrics.`val l")).toEqual(["metrics.`val loss`"]);
  });

  it("completes the identifier at the caret, not the end of the text", () => {
    const text = "metrics.lo > 1 and params.lr = '0.1'";
    const completion = completionAt(text, "metrics.lo".length, KEYS);
    expect(completion).toEqual({ from: 0, to: 10, options: [{ entity: "metrics", key: "loss", text: "metrics.loss" }] });
    expect(offered("metrics.acc > 0.9 and par")).toEqual(["params.depth", "params.`learning``rate`", "params.lr"]);
  });

  it("offers nothing in a value, after an operator or a space, or for an unknown entity", () => {
    expect(offered("params.lr = 'de")).toBeUndefined();
    expect(offered("metrics.acc > 0.9")).toBeUndefined();
    expect(offered("metrics.acc ")).toBeUndefined();
    expect(offered("metrics.acc>m")).toBeUndefined();
    expect(offered("nothing.")).toBeUndefined();
    expect(offered("zzz")).toBeUndefined();
  });

  it("offers nothing once the typed identifier is the only match", () => {
    expect(offered("metrics.loss")).toBeUndefined();
    expect(offered("metrics.acc")).toEqual(["metrics.acc", "metrics.accuracy"]);
  });
});

describe("acceptCompletion", () => {
  const accept = (text: string, caret: number, choice: string): { text: string; caret: number } => {
    const completion = completionAt(text, caret, KEYS);
    const option = completion?.options.find((candidate) => candidate.text === choice);
    if (!completion || !option) throw new Error(`'${choice}' is not offered for '${text}'`);
    return acceptCompletion(text, completion, option);
  };

  it("replaces the typed word and puts the caret after the identifier", () => {
    expect(accept("metrics.a", 9, "metrics.acc")).toEqual({ text: "metrics.acc", caret: 11 });
    expect(accept("metrics.acc > 0.9 and p", 23, "params.lr")).toEqual({ text: "metrics.acc > 0.9 and params.lr", caret: 31 });
  });

  it("inserts keys with special characters in backticks, doubling a backtick inside", () => {
    expect(accept("val", 3, "metrics.`val loss`")).toEqual({ text: "metrics.`val loss`", caret: 18 });
    expect(accept("params.lea", 10, "params.`learning``rate`")).toEqual({ text: "params.`learning``rate`", caret: 23 });
    expect(accept("metrics.`val l", 14, "metrics.`val loss`")).toEqual({ text: "metrics.`val loss`", caret: 18 });
  });

  it("replaces the whole word around the caret, keeping what follows", () => {
    expect(accept("metrics.lo > 1", 9, "metrics.loss")).toEqual({ text: "metrics.loss > 1", caret: 12 });
  });
});
