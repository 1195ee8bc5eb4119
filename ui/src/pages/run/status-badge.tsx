import type { ReactNode } from "react";
import type { RunStatus } from "../../api/entities";

const BADGE_CLASS: Record<RunStatus, string> = {
  RUNNING: "badge",
  SCHEDULED: "badge muted",
  FINISHED: "badge ok",
  FAILED: "badge danger",
  KILLED: "badge warn",
};

export const StatusBadge = ({ status }: { status: RunStatus }): ReactNode => <span className={BADGE_CLASS[status] ?? "badge muted"}>{status.toLowerCase()}</span>;
