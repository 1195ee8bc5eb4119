import type { ReactNode } from "react";

/**
 * The second step of a registry write on these pages: the confirming button, which names exactly what will change,
 * beside a way back. The caller holds the "confirming" state and hides this on either answer.
 */
export const ConfirmActions = ({
  label,
  onConfirm,
  onCancel,
  tone = "primary",
  disabled = false,
  cancelLabel = "Cancel",
}: {
  label: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** "danger" for a removal. */
  tone?: "primary" | "danger";
  disabled?: boolean;
  cancelLabel?: string;
}): ReactNode => (
  <span className="page-actions">
    <button type="button" className={tone} disabled={disabled} onClick={onConfirm}>
      {label}
    </button>
    <button type="button" onClick={onCancel}>
      {cancelLabel}
    </button>
  </span>
);
