import type { ReactNode } from "react";
import type { DeploymentWire } from "./deployment-wire";

/**
 * What a deployment serves differs from what its alias (or pinned primary) names: said at the top of the page, in
 * the server's words, never left to be noticed in the serving card. The server retries the load on its sync.
 */
export const DegradedBanner = ({ deployment }: { deployment: Pick<DeploymentWire, "state" | "degraded_reason"> }): ReactNode =>
  deployment.state === "degraded" ? (
    <div role="alert" className="error-banner degraded-banner">
      <strong>Degraded: this deployment does not serve what it should. </strong>
      {deployment.degraded_reason ?? "No version is loaded."} The server retries the load on its next sync.
    </div>
  ) : null;
