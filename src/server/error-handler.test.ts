import { describe, expect, it } from "vitest";
import { hideServerPaths, shortenMessage } from "./error-handler.js";

describe("shortenMessage", () => {
  it("keeps a message of up to 1,000 characters and cuts a longer one, saying its length", () => {
    expect(shortenMessage("a".repeat(1000))).toBe("a".repeat(1000));
    expect(shortenMessage("a".repeat(1001))).toBe(`${"a".repeat(1000)}… (1001 characters)`);
  });

  it("does not cut a character in half", () => {
    const message = `${"a".repeat(999)}😀${"b".repeat(10)}`;
    expect(shortenMessage(message)).toBe(`${"a".repeat(999)}… (${message.length} characters)`);
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
