import type { DeploymentWire } from "./deployment-wire";

/** One version's part of the answered traffic. */
export interface TrafficSegment {
  version: string;
  role: "primary" | "canary";
  /** 0..1 */
  share: number;
}

/**
 * A share (0..1) as a percentage with at most two decimals: 0.2 -> "20%", 1 - 0.7 -> "30%" (not
 * 30.000000000000004%), 1/3 -> "33.33%".
 */
export const formatShare = (share: number): string => `${Number((share * 100).toFixed(2))}%`;

const clampShare = (value: number): number => Math.min(1, Math.max(0, value));

/**
 * Who answers the requests: the primary alone, or the primary and the canary by the canary's weight. A shadow answers
 * nobody (its answers are thrown away after comparison), so it is not part of the split.
 */
export const trafficSegments = (deployment: Pick<DeploymentWire, "primary_version" | "canary">): TrafficSegment[] => {
  const { primary_version: primary, canary } = deployment;
  if (!canary) return [{ version: primary, role: "primary", share: 1 }];
  const weight = clampShare(canary.weight);
  return [
    { version: primary, role: "primary", share: 1 - weight },
    { version: canary.version, role: "canary", share: weight },
  ];
};

/** The split in a few words, as the deployments list shows it: "v1 80% · v2 20% canary". */
export const describeSplit = (deployment: Pick<DeploymentWire, "primary_version" | "canary">): string =>
  trafficSegments(deployment)
    .map((segment) => `v${segment.version} ${formatShare(segment.share)}${segment.role === "canary" ? " canary" : ""}`)
    .join(" · ");

/** The shadow in a few words: "mirrors 50% to v3", or undefined without one. */
export const describeShadow = (deployment: Pick<DeploymentWire, "shadow">): string | undefined =>
  deployment.shadow ? `mirrors ${formatShare(clampShare(deployment.shadow.share))} to v${deployment.shadow.version}` : undefined;

/** How the model URI chooses its version: following an alias (models:/m@alias) or pinned (models:/m/3). */
export const uriMode = (modelUri: string): { kind: "alias"; alias: string } | { kind: "pinned" } => {
  const match = /^models:\/[^@]+@(.+)$/.exec(modelUri);
  return match ? { kind: "alias", alias: match[1] as string } : { kind: "pinned" };
};
