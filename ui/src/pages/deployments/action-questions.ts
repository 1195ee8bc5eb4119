import type { DeploymentAction, DeploymentWire } from "./deployment-wire";

/** What promote or rollback will do to this deployment, asked before it is done; undefined when it cannot. */
export const actionQuestion = (
  action: DeploymentAction,
  d: Pick<DeploymentWire, "primary_version" | "canary" | "shadow" | "model_uri">,
): string | undefined => {
  const { canary, shadow, primary_version: primary } = d;
  // A deployment that follows an alias changes its primary only by moving the alias, through its promotion rules.
  const alias = /^models:\/[^/@]+@(.+)$/.exec(d.model_uri)?.[1];
  const gate = (version: string): string =>
    alias !== undefined ? ` The alias @${alias} moves to version ${version} if its promotion rules allow it.` : " The deployment's promotion rules apply.";
  if (action === "promote") {
    const candidate = canary ?? shadow;
    if (!candidate) return undefined;
    const ends = [canary ? `the canary (v${canary.version})` : undefined, shadow ? `the shadow (v${shadow.version})` : undefined].filter(Boolean).join(" and ");
    return `Make version ${candidate.version} the primary? It takes all traffic from version ${primary}, and ${ends} ${canary && shadow ? "end" : "ends"}.${gate(candidate.version)}`;
  }
  if (canary || shadow) {
    const dropped = [canary ? `the canary (v${canary.version})` : undefined, shadow ? `the shadow (v${shadow.version})` : undefined].filter(Boolean).join(" and ");
    return `Drop ${dropped}? Version ${primary} keeps answering all traffic.`;
  }
  return `Return to the previous primary version? Version ${primary} stops serving.${alias !== undefined ? ` The alias @${alias} moves back, through its promotion rules.` : ""}`;
};

/** What happened, in words, from the deployment the server answered with. */
export const actionOutcome = (action: DeploymentAction, after: Pick<DeploymentWire, "primary_version">): string =>
  action === "promote" ? `Version ${after.primary_version} is now the primary.` : `Rolled back: version ${after.primary_version} is the primary.`;
