import type { ReactNode } from "react";
import { Link } from "wouter";
import type { RegisteredModelAlias } from "../../api/entities";
import { orderedAliases } from "./alias-grouping";
import { versionPath } from "./paths";

/** A model's aliases as badges, each "alias → vN" and a link to that version. */
export const ModelAliasBadges = ({ name, aliases }: { name: string; aliases: readonly RegisteredModelAlias[] }): ReactNode => {
  if (aliases.length === 0) return <span className="muted">—</span>;
  return (
    <span className="alias-badges">
      {orderedAliases(aliases).map(({ alias, version }) => (
        <Link key={alias} className="badge alias-badge" href={versionPath(name, version)} title={`Alias ${alias} points to version ${version}`}>
          {alias} → v{version}
        </Link>
      ))}
    </span>
  );
};

/** The aliases of one version (which version is implied by the row they sit in). */
export const VersionAliasBadges = ({ aliases }: { aliases: readonly string[] }): ReactNode => {
  if (aliases.length === 0) return <span className="muted">—</span>;
  return (
    <span className="alias-badges">
      {[...aliases].sort().map((alias) => (
        <span key={alias} className="badge alias-badge">
          @{alias}
        </span>
      ))}
    </span>
  );
};

const STAGE_TONE: Record<string, string> = { Production: "ok", Staging: "warn", Archived: "muted", None: "muted" };

export const StageBadge = ({ stage }: { stage: string }): ReactNode => <span className={`badge ${STAGE_TONE[stage] ?? ""}`}>{stage}</span>;

const STATUS_TONE: Record<string, string> = { READY: "ok", PENDING_REGISTRATION: "warn", FAILED_REGISTRATION: "danger" };

export const VersionStatusBadge = ({ status }: { status: string }): ReactNode => (
  <span className={`badge ${STATUS_TONE[status] ?? "muted"}`}>{status.replaceAll("_", " ").toLowerCase()}</span>
);
