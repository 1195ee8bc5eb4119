import { useSyncExternalStore } from "react";

/**
 * Who this browser is signed in as, from the server's `auth/whoami` (issue 12, part 1). Kept here, outside React,
 * because the API client reads it on every request: with sign-in on, the UI must never send the unverified
 * `x-cairn-user` header (identity.ts), and any 401 an API call gets means the session is gone, whatever page asked.
 *
 * - `unknown`: whoami has not answered yet (the app shows nothing but a loading line until it does);
 * - `off`: the server runs without `--auth`: the UI works as before, with the declared, unverified name;
 * - `on`: sign-in is required; `user` is undefined while nobody is signed in (the sign-in page shows).
 */
export interface SignedInUser {
  username: string;
  isAdmin: boolean;
}

export type AuthState = { kind: "unknown" } | { kind: "off" } | { kind: "on"; user: SignedInUser | undefined };

const listeners = new Set<() => void>();
let current: AuthState = { kind: "unknown" };

export const authState = (): AuthState => current;

export const setAuthState = (next: AuthState): void => {
  current = next;
  for (const listener of listeners) listener();
};

/** An API call answered 401: the session expired, was signed out elsewhere, or never existed. */
export const markSignedOut = (): void => {
  if (current.kind === "on" && current.user === undefined) return;
  setAuthState({ kind: "on", user: undefined });
};

export const useAuthState = (): AuthState =>
  useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    authState,
  );

/** The signed-in user, when sign-in is on and somebody is. */
export const useSignedInUser = (): SignedInUser | undefined => {
  const state = useAuthState();
  return state.kind === "on" ? state.user : undefined;
};

/**
 * Whether this browser may use the administrators' pages (the audit trail and webhooks are admin-only with sign-in
 * on): yes with sign-in off, as before (and before whoami answers, when the app shows no page); with it on, only
 * for an admin.
 */
export const useMayAdminister = (): boolean => {
  const state = useAuthState();
  return state.kind !== "on" || state.user?.isAdmin === true;
};
