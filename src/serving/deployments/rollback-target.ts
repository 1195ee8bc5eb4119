import type { HistoryEntry } from "./deployment.js";

/**
 * The primary a rollback returns to: the history of primary switches since the deployment was (last) created,
 * read as a stack, where every switch pushes and every rollback pops. Rolling back twice therefore goes two
 * versions back instead of toggling between the last two.
 */
export const previousPrimary = (history: readonly HistoryEntry[]): string | undefined => {
  let stack: string[] = [];
  for (const entry of history) {
    if (entry.role !== "primary" || entry.to === undefined) continue;
    if (entry.reason === "create") stack = [entry.to];
    else if (entry.reason === "rollback") {
      stack.pop();
      if (stack[stack.length - 1] !== entry.to) stack.push(entry.to);
    } else if (stack[stack.length - 1] !== entry.to) stack.push(entry.to);
  }
  return stack.length >= 2 ? stack[stack.length - 2] : undefined;
};
