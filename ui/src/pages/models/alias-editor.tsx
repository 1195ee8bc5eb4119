import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import type { RegisteredModelAlias } from "../../api/entities";
import { ConfirmActions } from "./confirm-actions";
import { deleteAlias, setAlias } from "./registry-api";

/** What the last write did, in words: a success to announce, or the server's refusal. */
type WriteOutcome = { ok: true; message: string } | { ok: false; message: string };

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * After an alias moves, everything that shows aliases is stale: the model, its versions, the models list, the
 * alias history and the audit trail. They all live under the "registry" key.
 */
const useAliasWrite = (name: string) => {
  const client = useQueryClient();
  const [outcome, setOutcome] = useState<WriteOutcome | undefined>(undefined);
  const mutation = useMutation({
    mutationFn: async (change: { alias: string; version: string | undefined }) => {
      if (change.version === undefined) await deleteAlias(name, change.alias);
      else await setAlias(name, change.alias, change.version);
      return change;
    },
    onSuccess: async ({ alias, version }) => {
      setOutcome({ ok: true, message: version === undefined ? `Alias ${alias} deleted.` : `Alias ${alias} now points to version ${version}.` });
      await client.invalidateQueries({ queryKey: ["registry"] });
    },
    onError: (error, { alias, version }) => {
      const what = version === undefined ? `delete alias ${alias}` : `point alias ${alias} to version ${version}`;
      setOutcome({ ok: false, message: `Could not ${what}: ${errorText(error)}` });
    },
  });
  return { mutation, outcome };
};

const Outcome = ({ outcome }: { outcome: WriteOutcome | undefined }): ReactNode => {
  if (!outcome) return <div role="status" className="visually-hidden" />;
  return outcome.ok ? (
    <p role="status" className="write-result write-ok">
      {outcome.message}
    </p>
  ) : (
    <div role="alert" className="error-banner write-result">
      {outcome.message}
    </div>
  );
};

const DeleteAliasButton = ({ alias, disabled, onDelete }: { alias: string; disabled: boolean; onDelete: () => void }): ReactNode => {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="danger" disabled={disabled} onClick={() => setConfirming(true)} aria-label={`Delete alias ${alias}`}>
        Delete
      </button>
    );
  }
  return (
    <ConfirmActions
      label={`Confirm: delete ${alias}`}
      tone="danger"
      disabled={disabled}
      onConfirm={() => {
        setConfirming(false);
        onDelete();
      }}
      onCancel={() => setConfirming(false)}
      cancelLabel="Keep it"
    />
  );
};

/**
 * The model's aliases with the registry's one write of this UI: set or move an alias (MLflow's
 * registered-models/alias), or delete one. A refusal (a promotion rule, a reserved name) is shown as the server
 * words it.
 */
export const AliasEditor = ({
  name,
  aliases,
  versions,
}: {
  name: string;
  aliases: readonly RegisteredModelAlias[];
  /** Version numbers to suggest, newest first. */
  versions: readonly string[];
}): ReactNode => {
  const { mutation, outcome } = useAliasWrite(name);
  const [alias, setAliasText] = useState("");
  const [version, setVersion] = useState("");
  const ids = { alias: useId(), version: useId(), aliasList: useId(), versionList: useId() };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const trimmedAlias = alias.trim();
    const trimmedVersion = version.trim();
    if (trimmedAlias === "" || trimmedVersion === "") return;
    mutation.mutate({ alias: trimmedAlias, version: trimmedVersion });
  };
  const sorted = [...aliases].sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
  return (
    <section className="card" aria-labelledby={`${ids.alias}-heading`}>
      <h2 id={`${ids.alias}-heading`}>Aliases</h2>
      {sorted.length === 0 ? (
        <p className="muted">No aliases yet.</p>
      ) : (
        <table className="data" aria-label="Current aliases">
          <thead>
            <tr>
              <th scope="col">Alias</th>
              <th scope="col">Version</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((entry) => (
              <tr key={entry.alias}>
                <td>
                  <span className="badge alias-badge">@{entry.alias}</span>
                </td>
                <td>Version {entry.version}</td>
                <td>
                  <DeleteAliasButton alias={entry.alias} disabled={mutation.isPending} onDelete={() => mutation.mutate({ alias: entry.alias, version: undefined })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Set or move an alias</h3>
      <form className="alias-form" onSubmit={submit}>
        <label htmlFor={ids.alias}>
          Alias
          <input id={ids.alias} type="text" list={ids.aliasList} value={alias} onChange={(event) => setAliasText(event.target.value)} autoComplete="off" required />
        </label>
        <datalist id={ids.aliasList}>
          {sorted.map((entry) => (
            <option key={entry.alias} value={entry.alias} />
          ))}
        </datalist>
        <label htmlFor={ids.version}>
          Version
          <input
            id={ids.version}
            type="text"
            inputMode="numeric"
            list={ids.versionList}
            value={version}
            onChange={(event) => setVersion(event.target.value)}
            autoComplete="off"
            required
            size={8}
          />
        </label>
        <datalist id={ids.versionList}>
          {versions.map((number) => (
            <option key={number} value={number} />
          ))}
        </datalist>
        <button type="submit" className="primary" disabled={mutation.isPending}>
          {mutation.isPending ? "Saving…" : "Set alias"}
        </button>
      </form>
      <Outcome outcome={outcome} />
    </section>
  );
};
