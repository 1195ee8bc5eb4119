import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A temporary project folder with files; `git` runs git in it with a fixed identity. Remove with `cleanup`. */
export interface TempProject {
  root: string;
  write(files: Record<string, string>): void;
  git(...args: string[]): string;
  cleanup(): void;
}

export const tempProject = (files: Record<string, string> = {}): TempProject => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "cairn-definition-")));
  const project: TempProject = {
    root,
    write(more) {
      for (const [path, text] of Object.entries(more)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
    },
    git(...args) {
      return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  project.write(files);
  return project;
};
