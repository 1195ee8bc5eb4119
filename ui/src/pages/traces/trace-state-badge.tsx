import type { ReactNode } from "react";
import type { TraceState } from "./trace-wire";

const BADGES: Record<string, string> = { OK: "badge ok", ERROR: "badge danger", IN_PROGRESS: "badge" };

export const TraceStateBadge = ({ state }: { state: TraceState | string | undefined }): ReactNode => {
  const label = state && state !== "STATE_UNSPECIFIED" ? state.toLowerCase().replace("_", " ") : "unknown";
  return <span className={BADGES[state ?? ""] ?? "badge muted"}>{label}</span>;
};
