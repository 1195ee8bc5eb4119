import { useEffect, useState, type ReactNode } from "react";
import { ApiError } from "../api/http";
import { ErrorBanner, Loading } from "../components/status";
import { toSignedInUser, whoami } from "./auth-api";
import { setAuthState, useAuthState } from "./session";
import { SignInPage } from "./sign-in-page";

/**
 * Asks the server once whether sign-in is on and who this browser is, then shows the app, or the sign-in page while
 * nobody is signed in. The sign-in page replaces the app in place, at the same address: after signing in the user
 * is where they were (a deep link, or the page whose API call found the session gone), with every query read anew.
 */
export const AuthGate = ({ children }: { children: ReactNode }): ReactNode => {
  const state = useAuthState();
  const [problem, setProblem] = useState<unknown>(undefined);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    whoami(controller.signal).then(
      (answer) => setAuthState(answer.auth_enabled ? { kind: "on", user: answer.user ? toSignedInUser(answer.user) : undefined } : { kind: "off" }),
      (error: unknown) => {
        // A 401 has already switched the state to "sign-in required" (the API client does that for every call).
        if (controller.signal.aborted || (error instanceof ApiError && error.status === 401)) return;
        setProblem(error);
      },
    );
    return () => controller.abort();
  }, [attempt]);

  if (state.kind === "unknown") {
    return (
      <main id="main" className="main">
        {problem === undefined ? (
          <Loading />
        ) : (
          <>
            <ErrorBanner error={problem} what="who you are" />
            <button
              type="button"
              onClick={() => {
                setProblem(undefined);
                setAttempt((count) => count + 1);
              }}
            >
              Try again
            </button>
          </>
        )}
      </main>
    );
  }
  if (state.kind === "on" && state.user === undefined) return <SignInPage />;
  return children;
};
