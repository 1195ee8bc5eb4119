import { useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { setDeclaredUser, useDeclaredUser, userNameProblem } from "../identity";

/**
 * The name this browser acts under (see identity.ts): shown in the top bar, set or cleared in place. Changing it
 * refetches what is on screen, since who one is can change what the server answers (approvals, say).
 */
export const IdentityControl = (): ReactNode => {
  const user = useDeclaredUser();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  const inputId = useId();
  const problemId = useId();

  const save = (event: FormEvent): void => {
    event.preventDefault();
    const found = userNameProblem(draft);
    if (found) {
      setProblem(found);
      return;
    }
    setDeclaredUser(draft);
    setEditing(false);
    setProblem(undefined);
    void queryClient.invalidateQueries();
  };

  if (editing) {
    return (
      <form className="identity" onSubmit={save}>
        <label htmlFor={inputId}>Your name</label>
        <input
          id={inputId}
          type="text"
          value={draft}
          autoFocus
          maxLength={256}
          aria-invalid={problem !== undefined}
          aria-describedby={problem ? problemId : undefined}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Escape") setEditing(false);
          }}
        />
        <button type="submit">Save</button>
        <button type="button" onClick={() => setEditing(false)}>
          Cancel
        </button>
        {problem ? (
          <span id={problemId} role="alert" className="identity-problem">
            {problem}
          </span>
        ) : null}
      </form>
    );
  }
  return (
    <div className="identity">
      {user === undefined ? (
        <span className="muted">Anonymous</span>
      ) : (
        <span title="Declared by this browser, not verified by the server">
          Acting as <strong>{user}</strong> <span className="muted">(unverified)</span>
        </span>
      )}
      <button
        type="button"
        onClick={() => {
          setDraft(user ?? "");
          setProblem(undefined);
          setEditing(true);
        }}
      >
        {user === undefined ? "Set your name" : "Change"}
      </button>
      {user !== undefined ? (
        <button
          type="button"
          onClick={() => {
            setDeclaredUser(undefined);
            void queryClient.invalidateQueries();
          }}
        >
          Clear
        </button>
      ) : null}
    </div>
  );
};
