import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useSignedInUser } from "../../auth/session";
import { PageHeader } from "../../components/page";
import { Pager, usePaging } from "../../components/pager";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { CreateUserForm } from "./create-user-form";
import { NAME_LIMIT } from "./user-forms";
import { getUser, isMissingEndpoint, listUsers, userKeys } from "./users-api";
import { UsersTable } from "./users-table";
import "./users.css";

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
            {list ? <Pager paging={paging} nextToken={query.data?.nextPageToken} shown={list.length} what={["user", "users"]} /> : null}
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
