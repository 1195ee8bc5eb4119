#!/usr/bin/env node
/** The `cairn` entry: parses, runs one command, and is the only place that exits (with the codes of errors.ts). */
import { CommanderError } from "commander";
import { CommandExit, describeFailure, ExitCode } from "./errors.js";
import { CAIRN_VERSION } from "../core/version.js";
import { asksForProgramVersion, buildProgram } from "./program.js";

const write = (stream: NodeJS.WriteStream, text: string): Promise<void> =>
  new Promise((resolve) => {
    stream.write(text, () => resolve());
  });

const main = async (): Promise<number> => {
  try {
    if (asksForProgramVersion(process.argv.slice(2))) {
      await write(process.stdout, `${CAIRN_VERSION}\n`);
      return ExitCode.OK;
    }
    await buildProgram().parseAsync(process.argv);
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; a bare `cairn` printed its help and is a usage error.
      if (error.exitCode === 0) return ExitCode.OK;
      if (error.code === "commander.help") return ExitCode.USAGE;
      await write(process.stderr, `cairn: error: ${error.message.replace(/^error: /, "")}\n`);
      return ExitCode.USAGE;
    }
    if (error instanceof CommandExit) return error.exitCode;
    const { line, exitCode } = describeFailure(error);
    await write(process.stderr, `${line}\n`);
    return exitCode;
  }
};

process.exit(await main());
