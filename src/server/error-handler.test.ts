import { describe, expect, it } from "vitest";
import { CairnError, ErrorCode, notFound } from "../core/errors.js";
import { buildApp } from "./app.js";
import { hideServerPaths, shortenMessage } from "./error-handler.js";

describe("shortenMessage", () => {
  it("keeps a message of up to 1,000 characters; a longer one keeps its first 800 and last 200, saying its length", () => {
    expect(shortenMessage("a".repeat(1000))).toBe("a".repeat(1000));
    const long = `${"a".repeat(800)}${"x".repeat(5000)}${"b".repeat(200)}`;
    expect(shortenMessage(long)).toBe(`${"a".repeat(800)}… (6000 characters) …${"b".repeat(200)}`);
  });

  it("does not cut a character in half", () => {
    const message = `${"a".repeat(799)}😀${"x".repeat(500)}😀${"b".repeat(199)}`;
    expect(shortenMessage(message)).toBe(`${"a".repeat(799)}… (${message.length} characters) …${"b".repeat(199)}`);
  });
});

describe("hideServerPaths", () => {
  const hidden = [
    { dir: "/srv/cairn-data/artifacts", shownAs: "mlflow-artifacts:" },
    { dir: "/srv/cairn-data/model-cache/", shownAs: "<model-cache>" },
  ];

  it("names files under the artifact root by their mlflow-artifacts URI and cache files relative to the cache", () => {
    expect(hideServerPaths("cannot read /srv/cairn-data/artifacts/0/r1/artifacts/a.txt: EACCES", hidden)).toBe(
      "cannot read mlflow-artifacts:/0/r1/artifacts/a.txt: EACCES",
    );
    expect(hideServerPaths("load '/srv/cairn-data/model-cache/m/1/model.onnx' failed; /srv/cairn-data/model-cache.", hidden)).toBe(
      "load '<model-cache>/m/1/model.onnx' failed; <model-cache>.",
    );
  });

  it("leaves a folder whose name only starts like a hidden one, and replacement patterns stay literal", () => {
    expect(hideServerPaths("/srv/cairn-data/artifacts2/x and /srv/cairn-data/artifacts.bak", hidden)).toBe(
      "/srv/cairn-data/artifacts2/x and /srv/cairn-data/artifacts.bak",
    );
    expect(hideServerPaths("/data/a/b", [{ dir: "/data", shownAs: "$&$1" }])).toBe("$&$1/a/b");
  });
});

describe("the error handler", () => {
  it("hides server folders and cuts long messages of every domain's errors, fastify's own included", async () => {
    const app = await buildApp({
      version: "test",
      hiddenPaths: [{ dir: "/srv/cairn-data/artifacts", shownAs: "mlflow-artifacts:" }],
      domains: [
        {
          plugin: (scope) => {
            scope.get("/artifact-error", async () => {
              throw notFound("Artifact file /srv/cairn-data/artifacts/0/r1/artifacts/model.onnx does not exist.");
            });
            scope.get("/long-error", async () => {
              throw new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, `Invalid value '${"z".repeat(5000)}' for parameter 'name'.`);
            });
          },
        },
      ],
    });
    try {
      const artifact = await app.inject({ method: "GET", url: "/artifact-error" });
      expect(artifact.statusCode).toBe(404);
      expect(JSON.parse(artifact.body)).toEqual({
        error_code: "RESOURCE_DOES_NOT_EXIST",
        message: "Artifact file mlflow-artifacts:/0/r1/artifacts/model.onnx does not exist.",
      });
      const long = JSON.parse((await app.inject({ method: "GET", url: "/long-error" })).body) as { message: string };
      expect(long.message).toBe(`Invalid value '${"z".repeat(785)}… (5038 characters) …${"z".repeat(177)}' for parameter 'name'.`);
      const unknownRoute = JSON.parse((await app.inject({ method: "GET", url: `/${"u".repeat(3000)}` })).body) as { message: string };
      expect(unknownRoute.message).toMatch(/^No endpoint GET \/u+… \(3017 characters\) …u+$/);
    } finally {
      await app.close();
    }
  });
});
