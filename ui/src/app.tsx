import { lazy, Suspense, type ReactNode } from "react";
import { Link, Redirect, Route, Switch, useLocation } from "wouter";
import { Loading } from "./components/status";

// Each area is its own chunk: the runs table, the first thing most people open, does not wait for the chart code.
const ExperimentsPage = lazy(() => import("./pages/experiments/experiments-page"));
const RunsPage = lazy(() => import("./pages/runs/runs-page"));
const RunPage = lazy(() => import("./pages/run/run-page"));
const ComparePage = lazy(() => import("./pages/compare/compare-page"));
const ModelsPage = lazy(() => import("./pages/models/models-page"));
const ModelPage = lazy(() => import("./pages/models/model-page"));
const ModelVersionPage = lazy(() => import("./pages/models/model-version-page"));
const DeploymentsPage = lazy(() => import("./pages/deployments/deployments-page"));
const DeploymentPage = lazy(() => import("./pages/deployments/deployment-page"));
const MonitorsPage = lazy(() => import("./pages/monitors/monitors-page"));
const MonitorPage = lazy(() => import("./pages/monitors/monitor-page"));

const NAV: readonly { href: string; label: string }[] = [
  { href: "/experiments", label: "Experiments" },
  { href: "/models", label: "Models" },
  { href: "/deployments", label: "Deployments" },
  { href: "/monitors", label: "Monitors" },
];

const NavBar = (): ReactNode => {
  const [location] = useLocation();
  return (
    <nav className="top-nav" aria-label="Main">
      <Link href="/experiments" className="brand">
        Cairn
      </Link>
      <ul>
        {NAV.map((item) => {
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

export const App = (): ReactNode => (
  <>
    <a className="skip-link" href="#main">
      Skip to content
    </a>
    <NavBar />
    <main id="main" className="main">
      <Suspense fallback={<Loading />}>
        <Switch>
          <Route path="/">
            <Redirect to="/experiments" replace />
          </Route>
          <Route path="/experiments">{() => <ExperimentsPage />}</Route>
          <Route path="/experiments/:experimentId">{(params) => <RunsPage experimentId={params.experimentId} />}</Route>
          <Route path="/experiments/:experimentId/runs/:runId">{(params) => <RunPage experimentId={params.experimentId} runId={params.runId} />}</Route>
          <Route path="/compare">{() => <ComparePage />}</Route>
          <Route path="/models">{() => <ModelsPage />}</Route>
          <Route path="/models/:name">{(params) => <ModelPage name={params.name} />}</Route>
          <Route path="/models/:name/versions/:version">{(params) => <ModelVersionPage name={params.name} version={params.version} />}</Route>
          <Route path="/deployments">{() => <DeploymentsPage />}</Route>
          <Route path="/deployments/:name">{(params) => <DeploymentPage name={params.name} />}</Route>
          <Route path="/monitors">{() => <MonitorsPage />}</Route>
          <Route path="/monitors/:name">{(params) => <MonitorPage name={params.name} />}</Route>
          <Route component={NotFound} />
        </Switch>
      </Suspense>
    </main>
  </>
);
