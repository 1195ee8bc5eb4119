import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import { PageHeader } from "../../components/page";
import { ErrorBanner, Loading } from "../../components/status";
import { ApprovalsTab } from "./approvals-tab";
import { CardTab } from "./card-tab";
import { LineageTab } from "./lineage-tab";
import { OverviewTab } from "./overview-tab";
import { modelPath } from "./paths";
import { getModel, getVersion, registryKeys } from "./registry-api";
import { useTabs, type TabSpec } from "./tabs";
import { VersionAuditTab } from "./version-audit-tab";
import "./models.css";

const TABS: readonly TabSpec<"overview" | "lineage" | "card" | "approvals" | "audit">[] = [
  { id: "overview", label: "Overview" },
  { id: "lineage", label: "Lineage" },
  { id: "card", label: "Model card" },
  { id: "approvals", label: "Approvals & promotion" },
  { id: "audit", label: "Audit" },
];

/** One model version: its overview, lineage graph, model card, approvals and promotion check, and audit trail, each a tab in the URL. */
const ModelVersionPage = (props: { name: string; version: string }): ReactNode => {
  const name = props.name;
  const version = props.version;
  const query = useQuery({ queryKey: registryKeys.version(name, version), queryFn: ({ signal }) => getVersion(name, version, signal) });
  // The model's aliases suggest promotion targets; it is usually cached from the model page already.
  const model = useQuery({ queryKey: registryKeys.model(name), queryFn: ({ signal }) => getModel(name, signal) });
  const { current, tabList, panelProps } = useTabs(TABS);
  const crumbs = (
    <>
      <Link href="/models">Models</Link> / <Link href={modelPath(name)}>{name}</Link>
    </>
  );
  return (
    <div className="page">
      <PageHeader title={`${name} version ${version}`} crumbs={crumbs} />
      <ErrorBanner error={query.error} what={`version ${version} of model ${name}`} />
      {query.isPending ? <Loading what="the version" /> : null}
      {query.data ? (
        <>
          {tabList}
          <div {...panelProps}>
            {current === "overview" ? <OverviewTab version={query.data} /> : null}
            {current === "lineage" ? <LineageTab name={name} version={version} /> : null}
            {current === "card" ? <CardTab name={name} version={version} /> : null}
            {current === "audit" ? <VersionAuditTab name={name} version={version} /> : null}
            {current === "approvals" ? <ApprovalsTab version={query.data} modelAliases={(model.data?.aliases ?? []).map(({ alias }) => alias)} /> : null}
          </div>
        </>
      ) : null}
    </div>
  );
};

export default ModelVersionPage;
