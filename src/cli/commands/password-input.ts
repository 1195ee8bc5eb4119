import { UsageError } from "../errors.js";

/** Most bytes read from stdin for a password: a password is not a file. */
const MAX_STDIN_BYTES = 4096;

/** `--password-stdin`: the whole of stdin, one trailing newline removed (`echo "$PW" | cairn users create ...`). */
export const readPasswordFromStdin = async (stdin: NodeJS.ReadableStream = process.stdin): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new UsageError(`--password-stdin: more than ${MAX_STDIN_BYTES} bytes on stdin`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
};

/** Asks on the terminal without echo. */
const askHidden = (question: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const stdin = process.stdin;
    if (!stdin.isTTY) {
      reject(new UsageError("no terminal to ask the password on: pass --password-stdin and write the password to stdin"));
      return;
    }
    process.stderr.write(question);
    let answer = "";
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const done = (error?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (text: string): void => {
      for (const char of text) {
        if (char === "\r" || char === "\n") return done();
        if (char === "\u0003") return done(new UsageError("cancelled"));
        if (char === "\u007f" || char === "\b") answer = answer.slice(0, -1);
        else answer += char;
      }
    };
    stdin.on("data", onData);
  });

/**
 * The new password: from stdin with --password-stdin, else asked twice on the terminal. Never from argv, where every
 * user of the machine could read it in the process list and the shell keeps it in its history.
 */
export const readNewPassword = async (fromStdin: boolean): Promise<string> => {
  if (fromStdin) return readPasswordFromStdin();
  const first = await askHidden("New password: ");
  const second = await askHidden("Repeat it: ");
  if (first !== second) throw new UsageError("the two passwords differ");
  return first;
};
