import { useQuery } from "@tanstack/react-query";
import { useRef, useState, type ReactNode } from "react";
import { Link } from "wouter";
import { PageHeader } from "../../components/page";
import { ErrorBanner, Loading } from "../../components/status";
import { actionOutcome, actionQuestion } from "./action-questions";
import { ConfirmPanel } from "./confirm-panel";
import { DegradedBanner } from "./degraded-banner";
import { deploymentKeys, getDeployment, type DeploymentAction } from "./deployment-wire";
import { EndpointsCard } from "./endpoints-card";
import { HistoryCard } from "./history-card";
import { PredictionsCard } from "./predictions-card";
import { SavedReportsCard } from "./saved-reports-card";
import { ServingCard } from "./serving-card";
import { ShadowReportCard } from "./shadow-report-card";
import { TrafficCard } from "./traffic-card";
import { useDeploymentAction } from "./use-deployment-action";
import "./deployments.css";

const ACTION_LABELS: Record<DeploymentAction, string> = { promote: "Promote", rollback: "Roll back" };

/** One deployment: what serves, the split, the shadow comparison, history, recent predictions; promote and rollback. */
const DeploymentPage = ({ name }: { name: string }): ReactNode => {
  const deployment = useQuery({
    queryKey: deploymentKeys.one(name),
    queryFn: ({ signal }) => getDeployment(name, signal),
    // An alias that moves switches the deployment in the background; a slow poll shows it.
    refetchInterval: 30_000,
  });
  const action = useDeploymentAction(name);
  const [asking, setAsking] = useState<DeploymentAction | undefined>();
  const d = deployment.data;
  const question = d && asking ? actionQuestion(asking, d) : undefined;
  const promotable = d ? actionQuestion("promote", d) !== undefined : false;

  // Focus returns to the button that asked once the question is answered or dismissed (keyboard users keep their place).
  const promoteButton = useRef<HTMLButtonElement>(null);
  const rollbackButton = useRef<HTMLButtonElement>(null);
  const ask = (which: DeploymentAction): void => {
    action.reset();
    setAsking(which);
  };
  const close = (): void => {
    if (asking) (asking === "promote" ? promoteButton : rollbackButton).current?.focus();
    setAsking(undefined);
  };
  const confirm = (): void => {
    if (asking) action.mutate(asking);
    close();
  };

  return (
    <div className="page deployment-page">
      <PageHeader
        title={name}
        crumbs={<Link href="/deployments">Deployments</Link>}
        actions={
          d ? (
            <>
              <button
                type="button"
                ref={promoteButton}
                onClick={() => ask("promote")}
                disabled={!promotable || action.isPending}
                title={promotable ? undefined : "Nothing to promote: set a canary or a shadow first"}
              >
                {ACTION_LABELS.promote}
              </button>
              <button type="button" ref={rollbackButton} className="danger" onClick={() => ask("rollback")} disabled={action.isPending}>
                {ACTION_LABELS.rollback}
              </button>
            </>
          ) : null
        }
      />
      {asking && question ? (
        <ConfirmPanel question={question} confirmLabel={`${ACTION_LABELS[asking]} now`} onConfirm={confirm} onCancel={close} />
      ) : null}
      {action.isPending ? (
        <p role="status" className="muted">
          {action.variables === "promote" ? "Promoting: the new primary loads and warms up before it takes traffic…" : "Rolling back…"}
        </p>
      ) : null}
      {action.error && action.variables ? (
        <div role="alert" className="error-banner">
          <strong>{action.variables === "promote" ? "Promote" : "Rollback"} failed. </strong>
          {action.error.message}
        </div>
      ) : null}
      {action.isSuccess && action.variables ? (
        <p role="status" className="action-outcome">
          {actionOutcome(action.variables, action.data)}
        </p>
      ) : null}
      {deployment.isPending ? <Loading what="the deployment" /> : null}
      <ErrorBanner error={deployment.error} what={`deployment ${name}`} />
      {d ? (
        <>
          <DegradedBanner deployment={d} />
          <div className="grid-2">
            <ServingCard deployment={d} />
            <div>
              <TrafficCard deployment={d} />
              <EndpointsCard name={d.name} />
            </div>
          </div>
          {d.shadow ? <ShadowReportCard name={d.name} /> : null}
          <SavedReportsCard name={d.name} />
          <HistoryCard name={d.name} />
          <PredictionsCard name={d.name} sampleRate={d.prediction_log_sample_rate} />
        </>
      ) : null}
    </div>
  );
};

export default DeploymentPage;
