import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { ruleConditions } from "./promotion-check";
import { type RuleWithSelfApproval, setSelfApproval } from "./approvals-api";
import { ConfirmActions } from "./confirm-actions";
import { listRules, modelEntity, registryKeys } from "./registry-api";
import { actorName } from "./text";

export const usePromotionRules = (name: string) =>
  useQuery({ queryKey: registryKeys.rules(name), queryFn: ({ signal }) => listRules(name, signal) });

/** "alias:champion" -> "alias @champion", "stage:Production" -> "stage Production". */
export const targetLabel = (target: string): string => {
  const colon = target.indexOf(":");
  const kind = target.slice(0, colon);
  const rest = target.slice(colon + 1);
  return kind === "alias" ? `alias @${rest}` : kind === "stage" ? `stage ${rest}` : target;
};

/**
 * The rule's self-approval option, and switching it after a confirmation. The set call replaces the whole rule, so
 * the rule is re-sent as this page read it with only the option changed; the server audits the change.
 */
const SelfApproval = ({ rule }: { rule: RuleWithSelfApproval }): ReactNode => {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | undefined>(undefined);
  const forbidden = rule.forbid_self_approval === true;
  const mutation = useMutation({
    mutationFn: () => setSelfApproval(rule, !forbidden),
    onMutate: () => setDone(undefined),
    onSuccess: async (saved) => {
      setDone(saved.forbid_self_approval === true ? "Self-approval is now forbidden for this target." : "Self-approval is now allowed for this target.");
      await Promise.all([
        client.invalidateQueries({ queryKey: registryKeys.rules(rule.name) }),
        client.invalidateQueries({ queryKey: ["registry", "check", rule.name] }),
        client.invalidateQueries({ queryKey: registryKeys.audit(modelEntity(rule.name)) }),
      ]);
    },
  });
  const action = forbidden ? "Allow self-approval" : "Forbid self-approval";
  return (
    <div className="self-approval" role="group" aria-label={`Self-approval for ${targetLabel(rule.target)}`}>
      <p>
        {forbidden
          ? "Self-approval: forbidden. The version's creator and its source run's user cannot approve it, and their approvals never count."
          : "Self-approval: allowed. Whoever created the version may approve it too."}
      </p>
      {confirming ? (
        <ConfirmActions
          label={`Confirm: ${action.toLowerCase()} for ${targetLabel(rule.target)}`}
          onConfirm={() => {
            setConfirming(false);
            mutation.mutate();
          }}
          onCancel={() => setConfirming(false)}
        />
      ) : (
        <button type="button" disabled={mutation.isPending} onClick={() => setConfirming(true)}>
          {mutation.isPending ? "Saving…" : action}
        </button>
      )}
      <ErrorBanner error={mutation.error ? new Error(`Could not change the rule for ${targetLabel(rule.target)}: ${mutation.error.message}`) : null} />
      <p role="status" className={done ? "write-result write-ok" : "visually-hidden"}>
        {done ?? ""}
      </p>
    </div>
  );
};

const RuleCard = ({ rule }: { rule: RuleWithSelfApproval }): ReactNode => {
  const conditions = ruleConditions(rule);
  return (
    <article className="card" aria-label={`Rule for ${targetLabel(rule.target)}`}>
      <h2>Promotion to {targetLabel(rule.target)}</h2>
      {conditions.length === 0 ? (
        <p className="muted">No conditions: any version may be promoted.</p>
      ) : (
        <>
          <p className="muted">A version is promoted only when all of these hold:</p>
          <ul className="rule-list">
            {conditions.map((condition) => (
              <li key={condition}>{condition}</li>
            ))}
          </ul>
        </>
      )}
      <SelfApproval rule={rule} />
      <p className="muted">
        Set by {actorName(rule.updated_by)} on {formatTime(rule.updated_time)}.
      </p>
    </article>
  );
};

/** The model's promotion rules: their conditions are set with `cairn models rules` or the SDK; the self-approval option here too. */
export const RulesTab = ({ name }: { name: string }): ReactNode => {
  const rules = usePromotionRules(name);
  if (rules.isPending) return <Loading what="promotion rules" />;
  return (
    <>
      <ErrorBanner error={rules.error} what="the promotion rules" />
      {rules.data?.length === 0 ? <Empty>No promotion rules: any version may take any alias or stage.</Empty> : null}
      {rules.data?.map((rule) => <RuleCard key={rule.target} rule={rule} />)}
    </>
  );
};
