import { lazy, Suspense, type ReactNode } from "react";
import { Link, Redirect, Route, Switch, useLocation } from "wouter";
import { AccountControl } from "./auth/account-control";
import { useMayAdminister } from "./auth/session";
import { AuthGate } from "./auth/auth-gate";
import { Loading } from "./components/status";
import ExperimentsPage from "./pages/experiments/experiments-page";
import RunsPage from "./pages/runs/runs-page";
import { routeParam } from "./route-param";

// The experiments and runs pages, where most visits start, are in the main bundle: a lazy page is revealed no sooner
// than React's fallback throttle (~300 ms), which the first rows of a 100,000-run experiment must not wait for.
// Every other area is its own chunk, so the runs table never waits for the chart or graph code.
const RunPage = lazy(() => import("./pages/run/run-page"));
const LoggedModelsPage = lazy(() => import("./pages/logged-models/logged-models-page"));
const LoggedModelPage = lazy(() => import("./pages/logged-models/logged-model-page"));
const TracesPage = lazy(() => import("./pages/traces/traces-page"));
const TracePage = lazy(() => import("./pages/traces/trace-page"));
const ComparePage = lazy(() => import("./pages/compare/compare-page"));
const ModelsPage = lazy(() => import("./pages/models/models-page"));
const ModelPage = lazy(() => import("./pages/models/model-page"));
const ModelVersionPage = lazy(() => import("./pages/models/model-version-page"));
const DeploymentsPage = lazy(() => import("./pages/deployments/deployments-page"));
const DeploymentPage = lazy(() => import("./pages/deployments/deployment-page"));
const MonitorsPage = lazy(() => import("./pages/monitors/monitors-page"));
const MonitorPage = lazy(() => import("./pages/monitors/monitor-page"));
const AuditPage = lazy(() => import("./pages/audit/audit-page"));
const WebhooksPage = lazy(() => import("./pages/webhooks/webhooks-page"));
const TokensPage = lazy(() => import("./pages/tokens/tokens-page"));
const UsersPage = lazy(() => import("./pages/users/users-page"));
const PipelinesPage = lazy(() => import("./pages/pipelines/pipelines-page"));
const PipelinePage = lazy(() => import("./pages/pipelines/pipeline-page"));
const DataVersionPage = lazy(() => import("./pages/data-versions/data-version-page"));

/** `admin`: the server answers it to administrators only when sign-in is on (the audit trail, webhooks). */
const NAV: readonly { href: string; label: string; admin?: true }[] = [
  { href: "/experiments", label: "Experiments" },
  { href: "/models", label: "Models" },
  { href: "/pipelines", label: "Pipelines" },
  { href: "/deployments", label: "Deployments" },
  { href: "/monitors", label: "Monitors" },
  { href: "/audit", label: "Audit", admin: true },
  { href: "/webhooks", label: "Webhooks", admin: true },
];

const NavBar = (): ReactNode => {
  const [location] = useLocation();
  const mayAdminister = useMayAdminister();
  return (
    <nav className="top-nav" aria-label="Main">
      <Link href="/experiments" className="brand">
        Cairn
      </Link>
      <ul>
        {NAV.filter((item) => mayAdminister || item.admin !== true).map((item) => {
          const current = location === item.href || location.startsWith(`${item.href}/`) || (item.href === "/experiments" && (location.startsWith("/compare") || location === "/"));
          return (
            <li key={item.href}>
              <Link href={item.href} aria-current={current ? "page" : undefined}>
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
      <AccountControl />
    </nav>
  );
};

const NotFound = (): ReactNode => (
  <div className="page">
    <h1>Page not found</h1>
    <p>
      Nothing lives at this address. <Link href="/experiments">Go to the experiments</Link>.
    </p>
  </div>
);

/** The app proper, shown once the server said sign-in is off or somebody is signed in (AuthGate). */
const SignedInApp = (): ReactNode => (
  <>
    <NavBar />
    <main id="main" className="main">
      <Suspense fallback={<Loading />}>
        <Switch>
          <Route path="/">
            <Redirect to="/experiments" replace />
          </Route>
          <Route path="/experiments">{() => <ExperimentsPage />}</Route>
          <Route path="/experiments/:experimentId">{(params) => <RunsPage experimentId={routeParam(params.experimentId)} />}</Route>
          <Route path="/experiments/:experimentId/models">{(params) => <LoggedModelsPage experimentId={routeParam(params.experimentId)} />}</Route>
          <Route path="/experiments/:experimentId/models/:modelId">{(params) => <LoggedModelPage experimentId={routeParam(params.experimentId)} modelId={routeParam(params.modelId)} />}</Route>
          <Route path="/experiments/:experimentId/traces">{(params) => <TracesPage experimentId={routeParam(params.experimentId)} />}</Route>
          <Route path="/experiments/:experimentId/traces/:traceId">{(params) => <TracePage experimentId={routeParam(params.experimentId)} traceId={routeParam(params.traceId)} />}</Route>
          <Route path="/experiments/:experimentId/runs/:runId">{(params) => <RunPage experimentId={routeParam(params.experimentId)} runId={routeParam(params.runId)} />}</Route>
          <Route path="/compare">{() => <ComparePage />}</Route>
          <Route path="/models">{() => <ModelsPage />}</Route>
          <Route path="/models/:name">{(params) => <ModelPage name={routeParam(params.name)} />}</Route>
          <Route path="/models/:name/versions/:version">{(params) => <ModelVersionPage name={routeParam(params.name)} version={routeParam(params.version)} />}</Route>
          <Route path="/pipelines">{() => <PipelinesPage />}</Route>
          <Route path="/pipelines/:runId">{(params) => <PipelinePage runId={routeParam(params.runId)} />}</Route>
          <Route path="/data-versions/:hash">{(params) => <DataVersionPage hash={routeParam(params.hash)} />}</Route>
          <Route path="/deployments">{() => <DeploymentsPage />}</Route>
          <Route path="/deployments/:name">{(params) => <DeploymentPage name={routeParam(params.name)} />}</Route>
          <Route path="/monitors">{() => <MonitorsPage />}</Route>
          <Route path="/monitors/:name">{(params) => <MonitorPage name={routeParam(params.name)} />}</Route>
          <Route path="/audit">{() => <AuditPage />}</Route>
          <Route path="/webhooks">{() => <WebhooksPage />}</Route>
          <Route path="/tokens">{() => <TokensPage />}</Route>
          <Route path="/users">{() => <UsersPage />}</Route>
          <Route component={NotFound} />
        </Switch>
      </Suspense>
    </main>
  </>
);

export const App = (): ReactNode => (
  <>
    <a className="skip-link" href="#main">
      Skip to content
    </a>
    <AuthGate>
      <SignedInApp />
    </AuthGate>
  </>
);
