import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import type { RegisteredModel } from "../../api/entities";
import { PageHeader } from "../../components/page";
import { ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { ModelAliasBadges } from "./alias-badges";
import { AliasesTab } from "./aliases-tab";
import { AuditTrail } from "./audit-trail";
import { getModel, modelEntity, registryKeys } from "./registry-api";
import { RulesTab } from "./rules-tab";
import { useTabs, type TabSpec } from "./tabs";
import { paragraphs } from "./text";
import { VersionsTab } from "./versions-tab";
import "./models.css";

const TABS: readonly TabSpec<"versions" | "aliases" | "rules" | "audit">[] = [
  { id: "versions", label: "Versions" },
  { id: "aliases", label: "Aliases" },
  { id: "rules", label: "Promotion rules" },
  { id: "audit", label: "Audit" },
];

const ModelSummary = ({ model }: { model: RegisteredModel }): ReactNode => (
  <section className="card" aria-label="About this model">
    {model.description ? (
      paragraphs(model.description).map((paragraph, index) => (
        <p key={index} className="model-description">
          {paragraph}
        </p>
      ))
    ) : (
      <p className="muted">No description.</p>
    )}
    <dl className="kv">
      <dt>Aliases</dt>
      <dd>
        <ModelAliasBadges name={model.name} aliases={model.aliases} />
      </dd>
      <dt>Created</dt>
      <dd>
        {formatTime(model.creation_timestamp)}
        {model.user_id ? ` by ${model.user_id}` : ""}
      </dd>
      <dt>Last modified</dt>
      <dd>{formatTime(model.last_updated_timestamp)}</dd>
      {model.tags.map((tag) => (
        <div key={tag.key} style={{ display: "contents" }}>
          <dt className="mono">{tag.key}</dt>
          <dd className="mono">{tag.value}</dd>
        </div>
      ))}
    </dl>
  </section>
);

/** One registered model: what it is, then its versions, aliases (with the alias editor), rules and audit trail. */
const ModelPage = (props: { name: string }): ReactNode => {
  const name = props.name;
  const model = useQuery({ queryKey: registryKeys.model(name), queryFn: ({ signal }) => getModel(name, signal) });
  const { current, tabList, panelProps } = useTabs(TABS);
  return (
    <div className="page">
      <PageHeader title={name} crumbs={<Link href="/models">Models</Link>} />
      <ErrorBanner error={model.error} what={`model ${name}`} />
      {model.isPending ? <Loading what="the model" /> : null}
      {model.data ? (
        <>
          <ModelSummary model={model.data} />
          {tabList}
          <div {...panelProps}>
            {current === "versions" ? <VersionsTab name={name} /> : null}
            {current === "aliases" ? <AliasesTab model={model.data} /> : null}
            {current === "rules" ? <RulesTab name={name} /> : null}
            {current === "audit" ? <AuditTrail entity={modelEntity(name)} empty="No audit events for this model." /> : null}
          </div>
        </>
      ) : null}
    </div>
  );
};

export default ModelPage;
