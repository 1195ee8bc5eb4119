import type { DeploymentAction, DeploymentWire } from "./deployment-wire";

/** What promote or rollback will do to this deployment, asked before it is done; undefined when it cannot. */
export const actionQuestion = (action: DeploymentAction, d: Pick<DeploymentWire, "primary_version" | "canary" | "shadow">): string | undefined => {
  const { canary, shadow, primary_version: primary } = d;
  if (action === "promote") {
    const candidate = canary ?? shadow;
    if (!candidate) return undefined;
    const ends = [canary ? `the canary (v${canary.version})` : undefined, shadow ? `the shadow (v${shadow.version})` : undefined].filter(Boolean).join(" and ");
    return `Make version ${candidate.version} the primary? It takes all traffic from version ${primary}, and ${ends} ${canary && shadow ? "end" : "ends"}.`;
  }
  if (canary || shadow) {
    const dropped = [canary ? `the canary (v${canary.version})` : undefined, shadow ? `the shadow (v${shadow.version})` : undefined].filter(Boolean).join(" and ");
    return `Drop ${dropped}? Version ${primary} keeps answering all traffic.`;
  }
  return `Return to the previous primary version? Version ${primary} stops serving.`;
};

/** What happened, in words, from the deployment the server answered with. */
export const actionOutcome = (action: DeploymentAction, after: Pick<DeploymentWire, "primary_version">): string =>
  action === "promote" ? `Version ${after.primary_version} is now the primary.` : `Rolled back: version ${after.primary_version} is the primary.`;
