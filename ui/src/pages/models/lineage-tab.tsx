import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ErrorBanner, Loading } from "../../components/status";
import { LineageGraph } from "./lineage-graph";
import { getLineage, registryKeys } from "./registry-api";

/** The version's lineage: where it came from (run, data, code, experiment) and where it went (deployments). */
export const LineageTab = ({ name, version }: { name: string; version: string }): ReactNode => {
  const lineage = useQuery({ queryKey: registryKeys.lineage(name, version), queryFn: ({ signal }) => getLineage(name, version, signal) });
  if (lineage.isPending) return <Loading what="lineage" />;
  return (
    <section className="card" aria-labelledby="lineage-heading">
      <h2 id="lineage-heading">Lineage</h2>
      <ErrorBanner error={lineage.error} what="the lineage" />
      {lineage.data ? <LineageGraph graph={lineage.data} currentNodeId={`model_version:${name}/${version}`} /> : null}
    </section>
  );
};
