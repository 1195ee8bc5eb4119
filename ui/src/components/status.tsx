import type { ReactNode } from "react";
import { ApiError } from "../api/http";

/** An API failure in plain words, announced to screen readers. */
export const ErrorBanner = ({ error, what }: { error: unknown; what?: string }): ReactNode => {
  if (!error) return null;
  const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  return (
    <div role="alert" className="error-banner">
      {what ? <strong>Could not load {what}. </strong> : null}
      {message}
    </div>
  );
};

export const Loading = ({ what }: { what?: string }): ReactNode => (
  <div className="loading" role="status" aria-live="polite">
    Loading{what ? ` ${what}` : ""}…
  </div>
);

export const Empty = ({ children }: { children: ReactNode }): ReactNode => <div className="empty">{children}</div>;
