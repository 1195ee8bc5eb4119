import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useSignedInUser } from "../../auth/session";
import { ErrorBanner } from "../../components/status";
import { formatTime } from "../../format";
import { versionApprovalsKey, type VersionApprovals } from "./approvals-api";
import { ConfirmActions } from "./confirm-actions";
import { approveVersion, registryKeys, versionEntity } from "./registry-api";
import type { ApprovalWire } from "./registry-wire";
import { targetLabel } from "./rules-tab";
import { actorName } from "./text";

/** The server's limit on a comment (PROMOTION_LIMITS.maxCommentLength). */
const MAX_COMMENT_CHARS = 5000;

const sameApproval = (a: ApprovalWire, b: ApprovalWire): boolean =>
  a.target === b.target && a.actor.name === b.actor.name && a.time === b.time;

/** What an approval that the server answered did, in words; `before` is the approvals list as it stood. */
export const approvalMessage = (approval: ApprovalWire, before: readonly ApprovalWire[] | undefined): string => {
  const who = actorName(approval.actor);
  const what = `version ${approval.version} for ${targetLabel(approval.target)}`;
  // The server answers the standing approval when one exists (approving twice changes nothing).
  if (before?.some((earlier) => sameApproval(earlier, approval))) {
    return `${who} had already approved ${what} (${formatTime(approval.time)}); that approval stands and counts once.`;
  }
  return `Approved ${what} as ${who}.`;
};

/**
 * Approving this version for the chosen target, after a confirmation. The approver is the signed-in user with sign-in
 * on; with it off, whoever the browser's requests declare (the name set in the top bar, see identity.ts, or a header a
 * proxy adds); the server refuses anonymous ones and the refusal
 * is shown in its words. After an approval the approvals, every promotion check of the version and the version's
 * audit trail are refetched, so the changed verdict shows at once.
 */
export const ApproveForm = ({ name, version, target }: { name: string; version: string; target: string }): ReactNode => {
  const client = useQueryClient();
  const signedIn = useSignedInUser();
  const [comment, setComment] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | undefined>(undefined);
  const ids = { comment: useId(), heading: useId() };
  const what = `version ${version} for ${targetLabel(target)}`;
  const mutation = useMutation({
    mutationFn: async () => {
      // Only standing approvals can be the one the server answers again; a revoked one is history.
      const before = client
        .getQueryData<VersionApprovals>(versionApprovalsKey(name, version))
        ?.approvals.filter((approval) => approval.revoked_time === undefined);
      const approval = await approveVersion(name, version, target, comment.trim());
      return approvalMessage(approval, before);
    },
    onMutate: () => setDone(undefined),
    onSuccess: async (message) => {
      setDone(message);
      setComment("");
      await Promise.all([
        client.invalidateQueries({ queryKey: registryKeys.approvals(name, version) }),
        client.invalidateQueries({ queryKey: ["registry", "check", name, version] }),
        client.invalidateQueries({ queryKey: registryKeys.audit(versionEntity(name, version)) }),
      ]);
    },
  });
  const refusal = mutation.error ? new Error(`Could not approve ${what}: ${mutation.error.message}`) : null;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setConfirming(true);
  };
  return (
    <div className="approve" aria-labelledby={ids.heading} role="group">
      <h3 id={ids.heading}>Approve for this target</h3>
      <form className="approve-form" onSubmit={submit}>
        <label htmlFor={ids.comment}>
          Comment (optional)
          <textarea id={ids.comment} rows={2} cols={48} maxLength={MAX_COMMENT_CHARS} value={comment} onChange={(event) => setComment(event.target.value)} />
        </label>
        {confirming ? (
          <ConfirmActions
            label={`Confirm: approve ${what}`}
            disabled={mutation.isPending}
            onConfirm={() => {
              setConfirming(false);
              mutation.mutate();
            }}
            onCancel={() => setConfirming(false)}
          />
        ) : (
          <button type="submit" disabled={mutation.isPending}>
            {mutation.isPending ? "Approving…" : `Approve ${what}`}
          </button>
        )}
      </form>
      <p className="muted approve-note">
        {signedIn
          ? `Your approval is recorded under your signed-in name, ${signedIn.username}.`
          : "Your approval is recorded under the name set in the top bar (or the user a proxy declares); anonymous requests cannot approve."}{" "}
        A rule that
        forbids self-approval refuses the version&apos;s creator and its run&apos;s user. You can revoke your approval below.
      </p>
      <ErrorBanner error={refusal} />
      <p role="status" className={done ? "write-result write-ok" : "visually-hidden"}>
        {done ?? ""}
      </p>
    </div>
  );
};
