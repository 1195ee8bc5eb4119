import { useMutation } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { ErrorBanner } from "../../components/status";
import { createUser, updateAdmin } from "./users-api";
import { NAME_LIMIT, PASSWORD_LIMIT, useInvalidateUsers } from "./user-forms";

export const CreateUserForm = ({ onCreated }: { onCreated: (username: string) => void }): ReactNode => {
  const invalidate = useInvalidateUsers();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [admin, setAdmin] = useState(false);
  const [done, setDone] = useState<string | undefined>(undefined);
  const create = useMutation({
    // MLflow's users/create takes no admin flag: an admin is a user made admin right after.
    mutationFn: async () => {
      const name = username.trim();
      await createUser(name, password);
      if (admin) await updateAdmin(name, true);
      return name;
    },
    onSuccess: async (name) => {
      setUsername("");
      setPassword("");
      setAdmin(false);
      setDone(`Created user ${name}.`);
      onCreated(name);
      await invalidate();
    },
    onMutate: () => setDone(undefined),
  });
  return (
    <section className="card" aria-labelledby="create-user-heading">
      <h2 id="create-user-heading">Create a user</h2>
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          if (username.trim() && password) create.mutate();
        }}
      >
        <label>
          User name{" "}
          <input type="text" autoComplete="off" value={username} maxLength={NAME_LIMIT} onChange={(event) => setUsername(event.target.value)} />
        </label>
        <label>
          Password{" "}
          <input type="password" autoComplete="new-password" value={password} maxLength={PASSWORD_LIMIT} onChange={(event) => setPassword(event.target.value)} />
        </label>
        <label>
          <input type="checkbox" checked={admin} onChange={(event) => setAdmin(event.target.checked)} /> Admin
        </label>
        <button type="submit" className="primary" disabled={!username.trim() || !password || create.isPending}>
          Create user
        </button>
      </form>
      <ErrorBanner error={create.error} />
      <p role="status" className="muted">
        {done ?? ""}
      </p>
    </section>
  );
};

