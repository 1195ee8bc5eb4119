import type { ReactNode } from "react";
import { Link } from "wouter";
import { deploymentPath, modelPath, versionPath } from "../models/paths";

/** The kinds of entity the trail records (src/**: entityType), offered as the filter's suggestions. */
export const AUDIT_ENTITY_TYPES: readonly string[] = [
  "registered_model",
  "model_version",
  "experiment",
  "run",
  "logged_model",
  "trace",
  "assessment",
  "artifact",
  "deployment",
  "monitor",
  "webhook",
];

/** The UI's page of an audited entity, where it has one it can find from the event alone. */
export const entityHref = (entityType: string, entityId: string): string | undefined => {
  switch (entityType) {
    case "registered_model":
      return modelPath(entityId);
    case "model_version": {
      // "<name>/<version>": the name may hold slashes, the version never does.
      const slash = entityId.lastIndexOf("/");
      return slash > 0 ? versionPath(entityId.slice(0, slash), entityId.slice(slash + 1)) : undefined;
    }
    case "experiment":
      return `/experiments/${encodeURIComponent(entityId)}`;
    case "deployment":
      return deploymentPath(entityId);
    case "monitor":
      return `/monitors/${encodeURIComponent(entityId)}`;
    case "webhook":
      return `/webhooks?webhook=${encodeURIComponent(entityId)}`;
    default:
      return undefined;
  }
};

export const EntityLink = ({ entityType, entityId }: { entityType: string; entityId: string }): ReactNode => {
  const href = entityHref(entityType, entityId);
  return (
    <>
      <span className="muted">{entityType}</span> {href ? <Link href={href}>{entityId}</Link> : <span className="mono">{entityId}</span>}
    </>
  );
};
