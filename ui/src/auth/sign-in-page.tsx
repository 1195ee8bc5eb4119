import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import { ApiError } from "../api/http";
import { signIn } from "./auth-api";
import { setAuthState } from "./session";
import "./auth.css";

/** What went wrong, in words a person can act on; a 429 counts down from the server's Retry-After. */
const problemText = (error: unknown, secondsLeft: number): string => {
  if (error instanceof ApiError && error.status === 401) return "Wrong user name or password.";
  if (error instanceof ApiError && error.status === 429) {
    return secondsLeft > 0 ? `Too many attempts, try again in ${secondsLeft} s.` : "Too many attempts; you may try again now.";
  }
  return error instanceof Error ? error.message : String(error);
};

/** A clock that ticks once a second until `until` (ms) has passed, for the throttling countdown. */
const useTicking = (until: number | undefined): [number, (now: number) => void] => {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === undefined) return undefined;
    const timer = window.setInterval(() => {
      const tick = Date.now();
      setNow(tick);
      if (tick >= until) window.clearInterval(timer);
    }, 1000);
    return () => window.clearInterval(timer);
  }, [until]);
  return [now, setNow];
};

/**
 * The sign-in form, shown instead of the app while sign-in is on and nobody is signed in. The session cookie the
 * server sets is HttpOnly (no script of the page can read it) and SameSite=Strict (no other site's page sends it).
 */
export const SignInPage = (): ReactNode => {
  const queryClient = useQueryClient();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [retryAt, setRetryAt] = useState<number | undefined>(undefined);
  const [now, setNow] = useTicking(retryAt);
  const secondsLeft = retryAt === undefined ? 0 : Math.max(0, Math.ceil((retryAt - now) / 1000));
  const problemId = useId();

  useEffect(() => {
    document.title = "Sign in · Cairn";
  }, []);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (pending || secondsLeft > 0) return;
    setPending(true);
    setError(undefined);
    try {
      const user = await signIn(username.trim(), password);
      // Nothing read under an earlier session (or another user's) may show under this one.
      queryClient.removeQueries();
      setAuthState({ kind: "on", user });
    } catch (caught) {
      setError(caught);
      setPassword("");
      const at = Date.now();
      setNow(at);
      setRetryAt(caught instanceof ApiError && caught.status === 429 ? at + (caught.retryAfterSeconds ?? 60) * 1000 : undefined);
      setPending(false);
    }
  };

  const ready = username.trim() !== "" && password !== "" && !pending && secondsLeft === 0;
  return (
    <>
      <header className="top-nav">
        <span className="brand">Cairn</span>
      </header>
      <main id="main" className="main">
        <form className="card sign-in" onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-heading">
          <h1 id="sign-in-heading">Sign in to Cairn</h1>
          <label>
            User name
            <input
              type="text"
              name="username"
              autoComplete="username"
              autoFocus
              maxLength={128}
              value={username}
              aria-describedby={error === undefined ? undefined : problemId}
              onChange={(event) => setUsername(event.target.value)}
            />
          </label>
          <label>
            Password
            <input
              type="password"
              name="password"
              autoComplete="current-password"
              maxLength={1024}
              value={password}
              aria-describedby={error === undefined ? undefined : problemId}
              onChange={(event) => setPassword(event.target.value)}
            />
          </label>
          {error === undefined ? null : (
            <div id={problemId} role="alert" className="error-banner">
              {problemText(error, secondsLeft)}
            </div>
          )}
          <button type="submit" className="primary" disabled={!ready}>
            {pending ? "Signing in…" : "Sign in"}
          </button>
          <p className="muted">
            Scripts and MLflow clients sign in with a personal access token (<code>MLFLOW_TRACKING_TOKEN</code>) or with
            <code> MLFLOW_TRACKING_USERNAME</code> and <code>MLFLOW_TRACKING_PASSWORD</code>.
          </p>
        </form>
      </main>
    </>
  );
};
