import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * A question asked in the page before a change (not window.confirm, which blocks the page and cannot be styled):
 * focus goes to the confirming button, Escape or Cancel backs out.
 */
export const ConfirmPanel = ({
  question,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}): ReactNode => {
  const questionId = useId();
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmRef.current?.focus(), []);
  return (
    <div
      role="alertdialog"
      aria-labelledby={questionId}
      className="card confirm-panel"
      onKeyDown={(event) => {
        if (event.key === "Escape") onCancel();
      }}
    >
      <p id={questionId}>{question}</p>
      <div className="toolbar">
        <button type="button" className="primary" ref={confirmRef} onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
};
