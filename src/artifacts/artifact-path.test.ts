import { describe, expect, it } from "vitest";
import { CairnError } from "../core/errors.js";
import { normaliseArtifactPath } from "./artifact-path.js";

const refusal = (path: string, allowRoot = false): CairnError => {
  try {
    normaliseArtifactPath(path, "path", { allowRoot });
  } catch (error) {
    if (error instanceof CairnError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(path)}`);
};

describe("normaliseArtifactPath", () => {
  it("normalises separators, '.' segments and trailing slashes", () => {
    expect(normaliseArtifactPath("a/b.txt", "path")).toBe("a/b.txt");
    expect(normaliseArtifactPath("a//./b/", "path")).toBe("a/b");
    expect(normaliseArtifactPath("", "path", { allowRoot: true })).toBe("");
    expect(normaliseArtifactPath("./", "path", { allowRoot: true })).toBe("");
    expect(normaliseArtifactPath("...", "path")).toBe("...");
    expect(normaliseArtifactPath("a..b/..c", "path")).toBe("a..b/..c");
    expect(normaliseArtifactPath("100% done.txt", "path")).toBe("100% done.txt");
    expect(normaliseArtifactPath("modèle/数据.csv", "path")).toBe("modèle/数据.csv");
  });

  it.each([
    ["..", "'..' segments are not allowed"],
    ["../secret", "'..' segments are not allowed"],
    ["a/../../b", "'..' segments are not allowed"],
    ["a/..", "'..' segments are not allowed"],
    ["/etc/passwd", "absolute paths are not allowed"],
    ["a\\..\\b", "backslashes are not allowed"],
    ["C:/Windows", "Windows drive letters are not allowed"],
    ["c:secret", "Windows drive letters are not allowed"],
    ["a\u0000.txt", "NUL bytes are not allowed"],
    ["a\nb", "control characters are not allowed"],
    ["%2e%2e/secret", "double encoding"],
    ["..%2fsecret", "double encoding"],
    ["a%5c..", "double encoding"],
    ["%252e%252e", "double encoding"],
    ["a%00b", "double encoding"],
  ])("refuses %j (%s)", (path, reason) => {
    const error = refusal(path);
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.status).toBe(400);
    expect(error.message).toContain(JSON.stringify(path));
    expect(error.message).toContain("for parameter 'path'");
    expect(error.message).toContain(reason);
  });

  it("refuses the root where a file is needed, and over-long paths and segments", () => {
    expect(refusal("").message).toBe(`Invalid path "" for parameter 'path': the path must name a file below the artifact root.`);
    expect(refusal("a/".repeat(600)).message).toContain("longer than the limit of 1024 characters");
    expect(refusal(`${"x".repeat(256)}.txt`).message).toContain("a segment is longer than the limit of 255 bytes");
    expect(normaliseArtifactPath("é".repeat(127), "path")).toHaveLength(127);
    expect(refusal("é".repeat(128)).message).toContain("255 bytes");
  });
});
