import { useRef, useState, type ReactNode } from "react";
import type { CreatedToken } from "./tokens-api";

/**
 * A token's secret, right after it was created: the only time anyone sees it (Cairn stores its hash). Shown in a
 * read-only field, selected on focus, with a copy button and how clients use it.
 */
export const NewTokenSecret = ({ created, onDone }: { created: CreatedToken; onDone: () => void }): ReactNode => {
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | undefined>(undefined);

  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied("Copied to the clipboard.");
    } catch {
      // No clipboard access (an insecure origin, a denied permission): leave the text selected to copy by hand.
      field.current?.select();
      setCopied("Could not reach the clipboard: the token is selected, copy it with Ctrl+C.");
    }
  };

  return (
    <section className="card token-secret" aria-labelledby="token-secret-heading">
      <h2 id="token-secret-heading">Token “{created.token_info.name}” created</h2>
      <p>
        <strong>Copy it now: it is shown only this once.</strong> Cairn keeps only a hash of it; if you lose it, revoke it
        and create another.
      </p>
      <div className="toolbar">
        <label className="visually-hidden" htmlFor="token-secret-value">
          The new token
        </label>
        <input
          id="token-secret-value"
          ref={field}
          type="text"
          className="mono token-value"
          readOnly
          value={created.token}
          onFocus={(event) => event.target.select()}
        />
        <button type="button" className="primary" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
      <p role="status" className="muted">
        {copied ?? ""}
      </p>
      <p className="muted">
        MLflow clients and the Cairn SDK and CLI read it from <code>MLFLOW_TRACKING_TOKEN</code> and send it as
        <code> Authorization: Bearer &lt;token&gt;</code>.
      </p>
    </section>
  );
};
