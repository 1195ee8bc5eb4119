import { useState, type ReactNode } from "react";

/** Where callers send requests: MLflow's scoring protocol and the Open Inference Protocol. */
export const deploymentEndpoints = (name: string): { protocol: string; path: string }[] => [
  { protocol: "MLflow scoring", path: `/deployments/${encodeURIComponent(name)}/invocations` },
  { protocol: "Open Inference Protocol", path: `/v2/models/${encodeURIComponent(name)}/infer` },
];

const CopyButton = ({ text, what }: { text: string; what: string }): ReactNode => {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = (): void => {
    // The clipboard needs a secure context; on plain http from another host it is missing: say so.
    if (!navigator.clipboard) {
      setState("failed");
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };
  return (
    <>
      <button type="button" onClick={copy} aria-label={`Copy the ${what} URL`}>
        Copy
      </button>
      <span role="status" className="muted copy-status">
        {state === "copied" ? "Copied" : state === "failed" ? "Copy is not available here; select the text instead" : ""}
      </span>
    </>
  );
};

export const EndpointsCard = ({ name }: { name: string }): ReactNode => (
  <section className="card" aria-labelledby="endpoints-heading">
    <h2 id="endpoints-heading">Endpoints</h2>
    <ul className="endpoint-list">
      {deploymentEndpoints(name).map((endpoint) => {
        const url = `${window.location.origin}${endpoint.path}`;
        return (
          <li key={endpoint.path}>
            <span className="muted endpoint-protocol">{endpoint.protocol}</span>
            <code>POST {url}</code>
            <CopyButton text={url} what={endpoint.protocol} />
          </li>
        );
      })}
    </ul>
  </section>
);
