import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useSignedInUser } from "../../auth/session";
import { PageHeader } from "../../components/page";
import { Pager, usePaging } from "../../components/pager";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { createUser, deleteUser, getUser, isMissingEndpoint, listUsers, updateAdmin, updatePassword, userKeys, type ListedUserWire } from "./users-api";
import "./users.css";

const NAME_LIMIT = 256;
const PASSWORD_LIMIT = 1024;

const useInvalidateUsers = (): (() => Promise<void>) => {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: userKeys.all });
};

const CreateUserForm = ({ onCreated }: { onCreated: (username: string) => void }): ReactNode => {
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

const UsersTable = ({ users, me, onOutcome }: { users: readonly ListedUserWire[]; me: string; onOutcome: (message: string) => void }): ReactNode => (
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

/**
 * Without a list endpoint (MLflow's REST API has none), users are found by name with users/get; a user created here
 * is shown at once.
 */
const FindUser = ({ me, chosen, onChoose, onOutcome }: { me: string; chosen: string; onChoose: (name: string) => void; onOutcome: (message: string) => void }): ReactNode => {
  const [draft, setDraft] = useState(chosen);
  const query = useQuery({
    queryKey: userKeys.one(chosen),
    queryFn: ({ signal }) => getUser(chosen, signal),
    enabled: chosen !== "",
  });
  return (
    <>
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          onChoose(draft.trim());
        }}
      >
        <label>
          Find user{" "}
          <input type="text" value={draft} maxLength={NAME_LIMIT} onChange={(event) => setDraft(event.target.value)} />
        </label>
        <button type="submit" disabled={!draft.trim()}>
          Find
        </button>
      </form>
      <ErrorBanner error={query.error} what="the user" />
      {chosen !== "" && query.data === null ? <Empty>No user named {chosen}.</Empty> : null}
      {query.data ? <UsersTable users={[query.data]} me={me} onOutcome={onOutcome} /> : null}
    </>
  );
};

/** Users, for admins: create, make or unmake admin, reset a password, delete. */
const UsersPage = (): ReactNode => {
  const me = useSignedInUser();
  const paging = usePaging();
  const [outcome, setOutcome] = useState<string | undefined>(undefined);
  const [chosen, setChosen] = useState("");
  const query = useQuery({
    queryKey: userKeys.list(paging.pageSize, paging.token),
    queryFn: ({ signal }) => listUsers(paging.pageSize, paging.token, signal),
    placeholderData: keepPreviousData,
    enabled: me?.isAdmin === true,
  });

  if (me === undefined || !me.isAdmin) {
    return (
      <div className="page users-page">
        <PageHeader title="Users" />
        <Empty>{me === undefined ? "Sign-in is off on this server (it was started without --auth): there are no users to manage." : "Only admins manage users."}</Empty>
      </div>
    );
  }
  const noList = isMissingEndpoint(query.error);
  const list = query.data?.users;
  return (
    <div className="page users-page">
      <PageHeader title="Users" />
      <CreateUserForm onCreated={setChosen} />
      <section className="card" aria-labelledby="users-heading">
        <h2 id="users-heading">Users</h2>
        {noList ? (
          <FindUser key={chosen} me={me.username} chosen={chosen} onChoose={setChosen} onOutcome={setOutcome} />
        ) : (
          <>
            <ErrorBanner error={query.error} what="the users" />
            {query.isPending ? <Loading what="users" /> : null}
            {list?.length === 0 ? <Empty>No users.</Empty> : null}
            {list && list.length > 0 ? <UsersTable users={list} me={me.username} onOutcome={setOutcome} /> : null}
            {list ? <Pager paging={paging} nextToken={query.data?.nextPageToken} shown={list.length} what="users" /> : null}
          </>
        )}
        <p role="status" className="muted">
          {outcome ?? ""}
        </p>
      </section>
    </div>
  );
};

export default UsersPage;
