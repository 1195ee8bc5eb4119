import type { Command, Option } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "./program.js";

/**
 * Commander gives an option of the program precedence wherever it stands on the line, so a command option spelled
 * like a global one would be swallowed (as `--version` once was by the program's version flag). Walks every command
 * of the tree and checks its flags against the program's own and every ancestor's.
 */
interface Flagged {
  path: string;
  flags: string[];
}

const flagsOf = (option: Option): string[] => [option.long, option.short].filter((flag): flag is string => flag !== undefined);

const walk = (command: Command, path: string[], out: Flagged[]): void => {
  out.push({ path: path.join(" "), flags: command.options.flatMap(flagsOf) });
  for (const child of command.commands) walk(child, [...path, child.name()], out);
};

describe("the command tree's options", () => {
  const program = buildProgram();
  const all: Flagged[] = [];
  walk(program, ["cairn"], all);

  it("has many commands to check (the walk reached the leaves)", () => {
    expect(all.length).toBeGreaterThan(60);
    expect(all.some((entry) => entry.path === "cairn models show" && entry.flags.includes("--version"))).toBe(true);
  });

  it("never names a command option like a global one (--tracking-uri, --user, -h/--help, -V) or an ancestor's", () => {
    // --version after a command belongs to the command (main.ts answers the program's version only before one).
    const reserved = new Set(["--tracking-uri", "--user", "--help", "-h", "-V", ...program.options.flatMap(flagsOf)]);
    const collisions: string[] = [];
    const visit = (command: Command, path: string[], ancestors: Set<string>): void => {
      const own = command.options.flatMap(flagsOf);
      if (path.length > 1) for (const flag of own) if (reserved.has(flag) || ancestors.has(flag)) collisions.push(`${path.join(" ")} ${flag}`);
      const next = new Set(path.length > 1 ? [...ancestors, ...own] : ancestors);
      for (const child of command.commands) visit(child, [...path, child.name()], next);
    };
    visit(program, ["cairn"], new Set());
    expect(collisions).toEqual([]);
  });

  it("gives each command at most one option per flag", () => {
    const duplicated = all.filter((entry) => new Set(entry.flags).size !== entry.flags.length).map((entry) => entry.path);
    expect(duplicated).toEqual([]);
  });
});
