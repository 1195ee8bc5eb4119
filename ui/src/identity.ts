import { useSyncExternalStore } from "react";

/**
 * Who the person at this browser says they are, for a server started without `--auth` only (development on
 * loopback): like the SDK and the CLI, the UI then declares a user with the `x-cairn-user` header, and the server
 * records it as an unverified actor in the audit trail and on approvals. With sign-in on, the API client never sends
 * it (auth/session.ts) and the top bar shows the signed-in user instead. Kept in localStorage, per browser.
 */
const STORAGE_KEY = "cairn.user";
const MAX_LENGTH = 256;
const listeners = new Set<() => void>();

const read = (): string | undefined => {
  try {
    return window.localStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined; // Storage disabled: nobody is declared.
  }
};

let current: string | undefined = typeof window === "undefined" ? undefined : read();

export const declaredUser = (): string | undefined => current;

/** Why a name cannot be sent as a header value, or undefined when it can. */
export const userNameProblem = (name: string): string | undefined => {
  const trimmed = name.trim();
  if (trimmed === "") return "Enter a name.";
  if (trimmed.length > MAX_LENGTH) return `A name has at most ${MAX_LENGTH} characters.`;
  // HTTP header values are bytes; fetch refuses anything outside printable ASCII.
  if (!/^[\x20-\x7e]+$/.test(trimmed)) return "Use letters, digits, spaces and ASCII punctuation only.";
  return undefined;
};

export const setDeclaredUser = (name: string | undefined): void => {
  const next = name?.trim() || undefined;
  if (next !== undefined && userNameProblem(next) !== undefined) throw new Error(userNameProblem(next));
  current = next;
  try {
    if (next === undefined) window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Kept for this page's life only.
  }
  for (const listener of listeners) listener();
};

export const useDeclaredUser = (): string | undefined =>
  useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    declaredUser,
  );
