import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiError } from "./api/http";
import { App } from "./app";
import { cairnPathForMlflowHash } from "./mlflow-links";
import "./styles.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // A 4xx will not heal by asking again; a lost connection might.
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

// A link MLflow printed (`/#/experiments/1/runs/abc`) opens Cairn's page for it; the hash route is replaced, not
// kept in the history, so Back does not bounce through it.
const mlflowTarget = cairnPathForMlflowHash(window.location.hash);
if (mlflowTarget !== undefined) window.history.replaceState(null, "", mlflowTarget);

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
