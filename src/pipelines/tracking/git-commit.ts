import { execFile } from "node:child_process";

/** The commit checked out in `cwd` (`git rev-parse HEAD`), or null outside a git repository or before the first commit. */
export const gitHeadCommit = (cwd: string): Promise<string | null> =>
  new Promise((resolve) => {
    execFile("git", ["rev-parse", "--verify", "--quiet", "HEAD"], { cwd, timeout: 10_000, windowsHide: true }, (error, stdout) => {
      const sha = stdout.trim();
      resolve(error === null && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null);
    });
  });
