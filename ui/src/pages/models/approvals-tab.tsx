import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import type { ModelVersion } from "../../api/entities";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { useActingUser } from "../../auth/acting-user";
import { useQueryParam } from "../../url-state";
import { ApproveForm } from "./approve-form";
import { ConfirmActions } from "./confirm-actions";
import { renderCheck } from "./promotion-check";
import { PromotionCheckView } from "./promotion-check-view";
import { type ApprovalRecord, listVersionApprovals, revokeApproval, samePerson, versionApprovalsKey } from "./approvals-api";
import { checkPromotion, registryKeys, versionEntity } from "./registry-api";
import type { PromotionRuleWire } from "./registry-wire";
import { targetLabel, usePromotionRules } from "./rules-tab";
import { actorName } from "./text";

const STAGE_TARGETS = ["stage:Staging", "stage:Production", "stage:Archived"];

/** The server keys rules by the canonical target; a stage may be typed in any case, as the API accepts it. */
export const sameTarget = (a: string, b: string): boolean =>
  a.startsWith("stage:") && b.startsWith("stage:") ? a.toLowerCase() === b.toLowerCase() : a === b;

/** Revoking one's own standing approval, after a confirmation; the outcome is announced by the section. */
const RevokeButton = ({ approval, onDone }: { approval: ApprovalRecord; onDone: (message: string | Error) => void }): ReactNode => {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const what = `version ${approval.version} for ${targetLabel(approval.target)}`;
  const mutation = useMutation({
    mutationFn: () => revokeApproval(approval.name, approval.version, approval.target),
    onSuccess: async () => {
      onDone(`Revoked your approval of ${what}; it no longer counts.`);
      await Promise.all([
        client.invalidateQueries({ queryKey: registryKeys.approvals(approval.name, approval.version) }),
        client.invalidateQueries({ queryKey: ["registry", "check", approval.name, approval.version] }),
        client.invalidateQueries({ queryKey: registryKeys.audit(versionEntity(approval.name, approval.version)) }),
      ]);
    },
    onError: (error) => onDone(new Error(`Could not revoke the approval of ${what}: ${error.message}`)),
  });
  if (!confirming) {
    return (
      <button type="button" disabled={mutation.isPending} onClick={() => setConfirming(true)} aria-label={`Revoke your approval of ${what}`}>
        {mutation.isPending ? "Revoking…" : "Revoke"}
      </button>
    );
  }
  return (
    <ConfirmActions
      label={`Confirm: revoke ${what}`}
      onConfirm={() => {
        setConfirming(false);
        mutation.mutate();
      }}
      onCancel={() => setConfirming(false)}
    />
  );
};

const stateText = (approval: ApprovalRecord): string =>
  approval.revoked_time === undefined ? "Standing" : `Revoked by ${actorName(approval.revoked_by)} on ${formatTime(approval.revoked_time)}`;

/**
 * Every approval of this version, newest first, revoked ones kept (greyed, with who revoked them and when): the
 * record of who approved what. The person the browser declares may revoke their own standing approvals.
 */
const Approvals = ({ name, version }: { name: string; version: string }): ReactNode => {
  const query = useQuery({ queryKey: versionApprovalsKey(name, version), queryFn: ({ signal }) => listVersionApprovals(name, version, signal) });
  const user = useActingUser();
  const [outcome, setOutcome] = useState<string | Error | undefined>(undefined);
  const approvals = query.data?.approvals;
  return (
    <section className="card" aria-labelledby="approvals-heading">
      <h2 id="approvals-heading">Approvals</h2>
      <ErrorBanner error={query.error} what="the approvals" />
      {query.isPending ? <Loading what="approvals" /> : null}
      {approvals?.length === 0 ? <Empty>Nobody has approved this version for any target yet.</Empty> : null}
      {approvals && approvals.length > 0 ? (
        <table className="data" aria-label="Approvals">
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">Approved by</th>
              <th scope="col">Time</th>
              <th scope="col">Comment</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {approvals.map((approval) => {
              const revoked = approval.revoked_time !== undefined;
              const mine = !revoked && user !== undefined && samePerson(user, approval.actor.name);
              return (
                <tr key={`${approval.target}|${approval.actor.name}|${approval.time}|${approval.revoked_time ?? ""}`} className={revoked ? "muted" : undefined}>
                  <td>{targetLabel(approval.target)}</td>
                  <td>{actorName(approval.actor)}</td>
                  <td>{formatTime(approval.time)}</td>
                  <td>{approval.comment ?? ""}</td>
                  <td>{stateText(approval)}</td>
                  <td>{mine ? <RevokeButton approval={approval} onDone={setOutcome} /> : null}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {query.data?.more ? <p className="muted">
          More approvals exist than shown; <code>cairn models approvals list {name} --version {version} --include-revoked</code> lists them all.
        </p> : null}
      <ErrorBanner error={outcome instanceof Error ? outcome : null} />
      <p role="status" className={typeof outcome === "string" ? "write-result write-ok" : "visually-hidden"}>
        {typeof outcome === "string" ? outcome : ""}
      </p>
    </section>
  );
};

const CheckResult = ({ name, version, target, rule }: { name: string; version: string; target: string; rule: PromotionRuleWire | undefined }): ReactNode => {
  const check = useQuery({
    queryKey: registryKeys.check(name, version, target),
    queryFn: ({ signal }) => checkPromotion(name, version, target, signal),
  });
  if (check.isPending) return <Loading what="the promotion check" />;
  if (check.error) return <ErrorBanner error={check.error} what={`the promotion check for ${target}`} />;
  return <PromotionCheckView target={target} version={version} rendering={renderCheck(rule, check.data)} />;
};

/**
 * Approvals of this version, and the promotion check for a target chosen in the URL (`target`, e.g. alias:champion;
 * the first rule's target when none is chosen): which of the rule's conditions pass and which fail, and why; and
 * approving the version for that target.
 */
export const ApprovalsTab = ({ version, modelAliases }: { version: ModelVersion; modelAliases: readonly string[] }): ReactNode => {
  const rules = usePromotionRules(version.name);
  const [chosen, setChosen] = useQueryParam("target");
  const target = chosen || rules.data?.[0]?.target || "";
  const [typed, setTyped] = useState<string | undefined>(undefined);
  const ids = { input: useId(), list: useId() };
  const suggestions = [...new Set([...(rules.data ?? []).map((rule) => rule.target), ...modelAliases.map((alias) => `alias:${alias}`), ...STAGE_TARGETS])];
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const next = (typed ?? target).trim();
    if (next !== "") setChosen(next, { push: true });
    setTyped(undefined);
  };
  const rule = rules.data?.find((candidate) => sameTarget(candidate.target, target));
  return (
    <>
      <section className="card" aria-labelledby="check-heading">
        <h2 id="check-heading">Promotion check</h2>
        <form className="check-form" onSubmit={submit}>
          <label htmlFor={ids.input}>
            Target (alias:&lt;name&gt; or stage:&lt;Stage&gt;)
            <input id={ids.input} type="text" list={ids.list} value={typed ?? target} onChange={(event) => setTyped(event.target.value)} autoComplete="off" size={28} />
          </label>
          <datalist id={ids.list}>
            {suggestions.map((suggestion) => (
              <option key={suggestion} value={suggestion} />
            ))}
          </datalist>
          <button type="submit">Check</button>
        </form>
        <ErrorBanner error={rules.error} what="the promotion rules" />
        {rules.isPending ? <Loading what="promotion rules" /> : null}
        {!rules.isPending && target === "" ? <p className="muted">This model has no promotion rules. Choose a target to check anyway.</p> : null}
        {!rules.isPending && target !== "" ? (
          <>
            <CheckResult name={version.name} version={version.version} target={target} rule={rule} />
            <ApproveForm key={target} name={version.name} version={version.version} target={target} />
          </>
        ) : null}
      </section>
      <Approvals name={version.name} version={version.version} />
    </>
  );
};
