import { useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Link } from "wouter";
import { IdentityControl } from "../components/identity-control";
import { signOut } from "./auth-api";
import { setAuthState, useAuthState } from "./session";

/**
 * The top bar's account area. With sign-in on: the signed-in user (verified by the server), their tokens, the users
 * page for admins, and sign-out. With sign-in off: the declared, unverified name of identity.ts, as before.
 */
export const AccountControl = (): ReactNode => {
  const state = useAuthState();
  const queryClient = useQueryClient();
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [pending, setPending] = useState(false);

  if (state.kind === "off") return <IdentityControl />;
  if (state.kind !== "on" || state.user === undefined) return null;
  const { user } = state;

  const leave = async (): Promise<void> => {
    setPending(true);
    setProblem(undefined);
    try {
      await signOut();
    } catch (error) {
      // The session may still be valid on the server: say so rather than pretend it ended.
      setProblem(`Sign-out failed: ${error instanceof Error ? error.message : String(error)}`);
      setPending(false);
      return;
    }
    queryClient.clear();
    setAuthState({ kind: "on", user: undefined });
  };

  return (
    <div className="identity">
      <span>
        Signed in as <strong>{user.username}</strong>
        {user.isAdmin ? (
          <>
            {" "}
            <span className="badge">admin</span>
          </>
        ) : null}
      </span>
      <Link href="/tokens">Tokens</Link>
      {user.isAdmin ? <Link href="/users">Users</Link> : null}
      <button type="button" onClick={() => void leave()} disabled={pending}>
        Sign out
      </button>
      {problem ? (
        <span role="alert" className="identity-problem">
          {problem}
        </span>
      ) : null}
    </div>
  );
};
