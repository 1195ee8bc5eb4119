import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useAuthState } from "../../auth/session";
import { PageHeader } from "../../components/page";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { NewTokenSecret } from "./new-token-secret";
import { createToken, EXPIRY_CHOICES, listTokens, revokeToken, tokenKeys, type CreatedToken, type TokenInfoWire } from "./tokens-api";
import "./tokens.css";

/** src/auth/token-service.ts MAX_TOKEN_NAME_LENGTH; user names: src/auth/usernames.ts MAX_USERNAME_LENGTH. */
const NAME_LIMIT = 100;
const USER_NAME_LIMIT = 128;

const CreateTokenForm = ({ onCreated }: { onCreated: (created: CreatedToken) => void }): ReactNode => {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState("30");
  const create = useMutation({
    mutationFn: () => createToken(name.trim(), expiry === "" ? undefined : Number(expiry)),
    onSuccess: async (created) => {
      setName("");
      onCreated(created);
      await queryClient.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  return (
    <section className="card" aria-labelledby="create-token-heading">
      <h2 id="create-token-heading">Create a token</h2>
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim()) create.mutate();
        }}
      >
        <label>
          Name{" "}
          <input type="text" value={name} maxLength={NAME_LIMIT} placeholder="e.g. training-laptop" onChange={(event) => setName(event.target.value)} />
        </label>
        <label>
          Expires after{" "}
          <select value={expiry} onChange={(event) => setExpiry(event.target.value)}>
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.label} value={choice.days === undefined ? "" : String(choice.days)}>
                {choice.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
          Create token
        </button>
      </form>
      <ErrorBanner error={create.error} />
    </section>
  );
};

/** Revoke, behind a confirm step: a revoked token stops working at once, for every script that uses it. */
const RevokeButton = ({ token }: { token: TokenInfoWire }): ReactNode => {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const revoke = useMutation({
    mutationFn: () => revokeToken(token.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["tokens"] }),
  });
  if (!confirming) {
    return (
      <button type="button" className="danger" aria-label={`Revoke token ${token.name}`} onClick={() => setConfirming(true)}>
        Revoke
      </button>
    );
  }
  return (
    <span className="toolbar">
      <button type="button" className="danger" disabled={revoke.isPending} onClick={() => revoke.mutate()}>
        Confirm: revoke {token.name}
      </button>
      <button type="button" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      <ErrorBanner error={revoke.error} />
    </span>
  );
};

/** Revoked, expired or active, at `now` (ms). */
const tokenState = (token: TokenInfoWire, now: number): ReactNode => {
  if (token.revoked_time !== undefined) return <span className="badge muted">revoked {formatTime(token.revoked_time)}</span>;
  if (token.expiration_time !== undefined && token.expiration_time <= now) return <span className="badge warn">expired</span>;
  return <span className="badge ok">active</span>;
};

const TokensTable = ({ tokens, showOwner, now }: { tokens: readonly TokenInfoWire[]; showOwner: boolean; now: number }): ReactNode => (
  <div className="scroll-box">
    <table className="data" aria-label="Tokens">
      <thead>
        <tr>
          <th scope="col">Name</th>
          {showOwner ? <th scope="col">User</th> : null}
          <th scope="col">Created</th>
          <th scope="col">Expires</th>
          <th scope="col">Last used</th>
          <th scope="col">State</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((token) => (
          <tr key={token.id}>
            <th scope="row">{token.name}</th>
            {showOwner ? <td>{token.username}</td> : null}
            <td className="nowrap">{formatTime(token.created_time)}</td>
            <td className="nowrap">{token.expiration_time === undefined ? "never" : formatTime(token.expiration_time)}</td>
            <td className="nowrap">{token.last_used_time === undefined ? "never" : formatTime(token.last_used_time)}</td>
            <td>{tokenState(token, now)}</td>
            <td>{token.revoked_time === undefined ? <RevokeButton token={token} /> : null}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

/** Admins may look at (and revoke) another user's tokens. */
const OwnerChooser = ({ owner, onChange }: { owner: string; onChange: (owner: string) => void }): ReactNode => {
  const [draft, setDraft] = useState(owner);
  return (
    <form
      className="toolbar"
      onSubmit={(event) => {
        event.preventDefault();
        onChange(draft.trim());
      }}
    >
      <label>
        Tokens of user{" "}
        <input type="text" value={draft} maxLength={USER_NAME_LIMIT} placeholder="you" onChange={(event) => setDraft(event.target.value)} />
      </label>
      <button type="submit">Show</button>
    </form>
  );
};

/**
 * Personal access tokens: what scripts and MLflow clients use instead of a password (`MLFLOW_TRACKING_TOKEN`).
 * Create one (the secret is shown once), see when each was last used, revoke.
 */
const TokensPage = (): ReactNode => {
  const state = useAuthState();
  const user = state.kind === "on" ? state.user : undefined;
  const [created, setCreated] = useState<CreatedToken | undefined>(undefined);
  const [owner, setOwner] = useState("");
  const ownToken = owner === "" || owner.toLowerCase() === user?.username;
  const query = useQuery({
    queryKey: tokenKeys.list(ownToken ? "" : owner),
    queryFn: ({ signal }) => listTokens(ownToken ? undefined : owner, signal),
    enabled: user !== undefined,
  });

  if (user === undefined) {
    return (
      <div className="page tokens-page">
        <PageHeader title="Personal access tokens" />
        <Empty>Sign-in is off on this server (it was started without --auth): clients need no token.</Empty>
      </div>
    );
  }
  return (
    <div className="page tokens-page">
      <PageHeader title="Personal access tokens" />
      {created ? <NewTokenSecret created={created} onDone={() => setCreated(undefined)} /> : null}
      {ownToken ? <CreateTokenForm onCreated={setCreated} /> : null}
      <section className="card" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">{ownToken ? "Your tokens" : `Tokens of ${owner}`}</h2>
        {user.isAdmin ? <OwnerChooser owner={owner} onChange={setOwner} /> : null}
        <ErrorBanner error={query.error} what="the tokens" />
        {query.isPending ? <Loading what="tokens" /> : null}
        {query.data?.length === 0 ? <Empty>No tokens.</Empty> : null}
        {query.data && query.data.length > 0 ? <TokensTable tokens={query.data} showOwner={!ownToken} now={query.dataUpdatedAt} /> : null}
      </section>
    </div>
  );
};

export default TokensPage;
