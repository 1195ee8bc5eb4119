import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, type RenderResult } from "@testing-library/react";
import type { ReactNode } from "react";
import { Router } from "wouter";
import { memoryLocation } from "wouter/memory-location";

/**
 * Renders a component as the app would: a fresh query cache (no retries, so a failure shows at once) and a router
 * at `path` kept in memory. `location.history` lists the paths navigated to.
 */
export const renderWithApp = (ui: ReactNode, path = "/"): RenderResult & { location: ReturnType<typeof memoryLocation> } => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  const location = memoryLocation({ path, record: true });
  const result = render(
    <QueryClientProvider client={client}>
      <Router hook={location.hook} searchHook={location.searchHook}>
        {ui}
      </Router>
    </QueryClientProvider>,
  );
  return { ...result, location };
};
