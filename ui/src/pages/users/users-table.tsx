import { useMutation } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { ErrorBanner } from "../../components/status";
import { formatTime } from "../../format";
import { deleteUser, updateAdmin, updatePassword, type ListedUserWire } from "./users-api";
import { PASSWORD_LIMIT, useInvalidateUsers } from "./user-forms";

/** A new password for a user, typed in place; changing it ends the user's UI sessions. */
const ResetPassword = ({ user, onClose }: { user: ListedUserWire; onClose: (message?: string) => void }): ReactNode => {
  const [password, setPassword] = useState("");
  const reset = useMutation({
    mutationFn: () => updatePassword(user.username, password),
    onSuccess: () => onClose(`Password of ${user.username} changed.`),
  });
  return (
    <form
      className="toolbar"
      onSubmit={(event) => {
        event.preventDefault();
        if (password) reset.mutate();
      }}
    >
      <label>
        New password for {user.username}{" "}
        <input type="password" autoComplete="new-password" autoFocus value={password} maxLength={PASSWORD_LIMIT} onChange={(event) => setPassword(event.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={!password || reset.isPending}>
        Set password
      </button>
      <button type="button" onClick={() => onClose()}>
        Cancel
      </button>
      <ErrorBanner error={reset.error} />
    </form>
  );
};

type RowMode = "idle" | "password" | "delete";

const UserRow = ({ user, self, onOutcome }: { user: ListedUserWire; self: boolean; onOutcome: (message: string) => void }): ReactNode => {
  const invalidate = useInvalidateUsers();
  const [mode, setMode] = useState<RowMode>("idle");
  const toggleAdmin = useMutation({
    mutationFn: () => updateAdmin(user.username, !user.is_admin),
    onSuccess: async () => {
      onOutcome(user.is_admin ? `${user.username} is no longer an admin.` : `${user.username} is now an admin.`);
      await invalidate();
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteUser(user.username),
    onSuccess: async () => {
      onOutcome(`Deleted user ${user.username}, with their tokens and sessions.`);
      setMode("idle");
      await invalidate();
    },
  });
  return (
    <tr>
      <th scope="row">
        {user.username}
        {self ? <span className="muted"> (you)</span> : null}
      </th>
      <td>{user.is_admin ? <span className="badge">admin</span> : <span className="muted">user</span>}</td>
      <td className="nowrap">{formatTime(user.created_time)}</td>
      <td>
        {mode === "password" ? (
          <ResetPassword
            user={user}
            onClose={(message) => {
              setMode("idle");
              if (message) onOutcome(message);
            }}
          />
        ) : mode === "delete" ? (
          <span className="toolbar">
            <button type="button" className="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
              Confirm: delete {user.username}
            </button>
            <button type="button" onClick={() => setMode("idle")}>
              Cancel
            </button>
          </span>
        ) : (
          <span className="toolbar">
            <button type="button" disabled={toggleAdmin.isPending} onClick={() => toggleAdmin.mutate()} aria-label={`${user.is_admin ? "Remove admin from" : "Make admin"} ${user.username}`}>
              {user.is_admin ? "Remove admin" : "Make admin"}
            </button>
            <button type="button" onClick={() => setMode("password")} aria-label={`Reset password of ${user.username}`}>
              Reset password
            </button>
            <button type="button" className="danger" onClick={() => setMode("delete")} aria-label={`Delete user ${user.username}`}>
              Delete
            </button>
          </span>
        )}
        <ErrorBanner error={toggleAdmin.error ?? remove.error} />
      </td>
    </tr>
  );
};

export const UsersTable = ({ users, me, onOutcome }: { users: readonly ListedUserWire[]; me: string; onOutcome: (message: string) => void }): ReactNode => (
  <div className="scroll-box">
    <table className="data" aria-label="Users">
      <thead>
        <tr>
          <th scope="col">User</th>
          <th scope="col">Role</th>
          <th scope="col">Created</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {users.map((user) => (
          <UserRow key={user.username} user={user} self={user.username === me} onOutcome={onOutcome} />
        ))}
      </tbody>
    </table>
  </div>
);

