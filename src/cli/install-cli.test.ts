import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, realpath, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CAIRN_VERSION } from "../core/version.js";
import { repoRoot } from "./test-support/run-cli.js";

/**
 * `cairn` is a command after the README's install (`npm run build`, then `npm link`): the package's own build in a
 * copy of the repository (its dependencies linked, so nothing is downloaded), then `npm link` into a temporary global
 * prefix, offline, with a registry address that refuses connections. Nothing of the repository itself is written.
 */
let work: string;
let pkg: string;
let prefix: string;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of npm without the npm_config_* of the process running the tests (npx, vitest). */
const cleanEnv = (): Record<string, string> =>
  Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !/^npm_/i.test(entry[0])));

const run = (command: string, args: string[], cwd: string, env: Record<string, string>): Promise<Ran> => {
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
};

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "cairn-install-"));
  pkg = path.join(work, "cairn");
  prefix = path.join(work, "global");
  for (const file of ["package.json", "tsconfig.json", "tsconfig.build.json", "src"]) {
    await cp(path.join(repoRoot, file), path.join(pkg, file), { recursive: true });
  }
  await symlink(await realpath(path.join(repoRoot, "node_modules")), path.join(pkg, "node_modules"), "dir");
}, 60_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe("installing the cairn command (npm link, offline)", () => {
  it("builds a bin with a shebang and the exec bit, links it, and `cairn` answers from the prefix's bin folder", { timeout: 300_000 }, async () => {
    const env = {
      ...cleanEnv(),
      npm_config_prefix: prefix,
      npm_config_offline: "true",
      npm_config_registry: "http://127.0.0.1:9/",
      npm_config_ignore_scripts: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
      npm_config_update_notifier: "false",
      npm_config_cache: path.join(work, "npm-cache"),
    };
    const built = await run("npm", ["run", "build:lib"], pkg, env);
    expect(built.code, built.stderr).toBe(0);

    const manifest = JSON.parse(await readFile(path.join(pkg, "package.json"), "utf8")) as { bin: Record<string, string>; files: string[] };
    expect(manifest.bin).toEqual({ cairn: "dist/cli/main.js" });
    expect(manifest.files).toContain("dist");
    const bin = path.join(pkg, manifest.bin.cairn ?? "");
    expect((await readFile(bin, "utf8")).split("\n")[0]).toBe("#!/usr/bin/env node");
    expect((await stat(bin)).mode & 0o111).toBe(0o111); // the build itself makes it executable, before any npm link

    const linked = await run("npm", ["link"], pkg, env);
    expect(linked.code, linked.stderr).toBe(0);

    const onPath = { ...cleanEnv(), PATH: `${path.join(prefix, "bin")}${path.delimiter}${process.env.PATH ?? ""}` };
    expect(await run("cairn", ["--version"], work, onPath)).toEqual({ code: 0, stdout: `${CAIRN_VERSION}\n`, stderr: "" });
    const help = await run(path.join(prefix, "bin", "cairn"), ["data", "profiles", "--help"], work, onPath);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: cairn data profiles [options] [command]");
  });
});
