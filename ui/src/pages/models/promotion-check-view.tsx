import type { ReactNode } from "react";
import type { CheckRendering } from "./promotion-check";
import { targetLabel } from "./rules-tab";

/** Every condition of the target's rule with its result; failures carry the server's reason. Not color alone: words too. */
export const PromotionCheckView = ({ target, version, rendering }: { target: string; version: string; rendering: CheckRendering }): ReactNode => (
  <div aria-live="polite">
    <p>
      Promotion of version {version} to {targetLabel(target)}:{" "}
      {rendering.allowed ? <span className="badge ok">allowed</span> : <span className="badge danger">refused</span>}
    </p>
    {!rendering.guarded ? (
      <p className="muted">No promotion rule guards {targetLabel(target)}: any version may be promoted to it.</p>
    ) : rendering.conditions.length === 0 ? (
      <p className="muted">The rule for {targetLabel(target)} has no conditions.</p>
    ) : (
      <ul className="check-list" aria-label="Rule conditions">
        {rendering.conditions.map((result, index) => (
          <li key={`${result.condition}|${index}`}>
            {result.passed ? <span className="badge ok">passes</span> : <span className="badge danger">fails</span>}
            <span>{result.condition}</span>
            {result.reason ? <span className="check-reason">{result.reason}</span> : null}
          </li>
        ))}
      </ul>
    )}
  </div>
);
