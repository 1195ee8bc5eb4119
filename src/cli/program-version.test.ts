import { describe, expect, it } from "vitest";
import { asksForProgramVersion } from "./program.js";

describe("asksForProgramVersion", () => {
  it("is true only for --version or -V before any command, global options and their values skipped", () => {
    const cases: Array<[string[], boolean]> = [
      [["--version"], true],
      [["-V"], true],
      [["--tracking-uri", "http://x", "--version"], true],
      [["--user", "--version", "models", "list"], false], // "--version" is the user's name here
      [["models", "show", "churn", "--version", "3"], false],
      [["models", "delete", "churn", "--version", "1"], false],
      [["--tracking-uri", "http://x", "models", "show", "churn", "--version", "3"], false],
      [[], false],
    ];
    expect(cases.map(([args]) => asksForProgramVersion(args))).toEqual(cases.map(([, expected]) => expected));
  });
});
