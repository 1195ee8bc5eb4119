import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { useAuthState } from "../../auth/session";
import { PageHeader } from "../../components/page";
import { Pager, resetPaging, usePaging } from "../../components/pager";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useQueryParam, useSetSearchParams } from "../../url-state";
import { auditKeys, listAudit, type AuditFilter } from "./audit-api";
import { AuditEventsTable } from "./audit-events-table";
import { AUDIT_ENTITY_TYPES } from "./entity-link";
import "./audit.css";

const FIELDS: readonly { param: string; key: keyof AuditFilter; label: string; placeholder: string }[] = [
  { param: "type", key: "entityType", label: "Entity type", placeholder: "model_version" },
  { param: "id", key: "entityId", label: "Entity id", placeholder: "churn/3" },
  { param: "action", key: "action", label: "Action", placeholder: "alias.set" },
  { param: "actor", key: "actor", label: "Actor", placeholder: "ada" },
];

/** The filters, typed and applied together (a half-typed id would find nothing); Back restores the previous ones. */
const AuditFilterForm = ({ applied, onApply }: { applied: AuditFilter; onApply(filter: AuditFilter): void }): ReactNode => {
  const [draft, setDraft] = useState(applied);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    onApply({ entityType: draft.entityType.trim(), entityId: draft.entityId.trim(), action: draft.action.trim(), actor: draft.actor.trim() });
  };
  const any = FIELDS.some((field) => applied[field.key] !== "");
  return (
    <form className="audit-filter" role="search" aria-label="Filter the audit trail" onSubmit={submit}>
      {FIELDS.map((field) => (
        <label key={field.param}>
          <span>{field.label}</span>
          <input
            type="search"
            value={draft[field.key]}
            placeholder={field.placeholder}
            spellCheck={false}
            list={field.key === "entityType" ? "audit-entity-types" : undefined}
            onChange={(event) => setDraft({ ...draft, [field.key]: event.target.value })}
          />
        </label>
      ))}
      <datalist id="audit-entity-types">
        {AUDIT_ENTITY_TYPES.map((type) => (
          <option key={type} value={type} />
        ))}
      </datalist>
      <button type="submit">Apply</button>
      {any ? (
        <button type="button" onClick={() => onApply({ entityType: "", entityId: "", action: "", actor: "" })}>
          Clear
        </button>
      ) : null}
    </form>
  );
};

/**
 * The whole audit trail, newest first, a page at a time (`page=` tokens, `size=`), filtered by entity, action and
 * actor (`type`, `id`, `action`, `actor` in the URL). Each event links to its entity's page where there is one.
 */
const AuditPage = (): ReactNode => {
  const authOn = useAuthState().kind === "on";
  const [entityType] = useQueryParam("type");
  const [entityId] = useQueryParam("id");
  const [action] = useQueryParam("action");
  const [actor] = useQueryParam("actor");
  const filter: AuditFilter = { entityType, entityId, action, actor };
  const paging = usePaging();
  const set = useSetSearchParams();
  const page = useQuery({
    queryKey: auditKeys.page(filter, paging.pageSize, paging.token),
    queryFn: ({ signal }) => listAudit(filter, paging.pageSize, paging.token, signal),
    placeholderData: keepPreviousData,
  });
  const apply = (next: AuditFilter): void =>
    set({ type: next.entityType, id: next.entityId, action: next.action, actor: next.actor, ...resetPaging }, { push: true });
  const events = page.data?.events ?? [];
  const filtered = FIELDS.some((field) => filter[field.key] !== "");
  return (
    <div className="page audit-page">
      <PageHeader title="Audit trail" />
      <p className="muted">
        Every change made through Cairn&apos;s API, newest first.{" "}
        {authOn
          ? "Actors are the users the server authenticated; one marked (unverified) was only declared by its request (before sign-in was turned on)."
          : "Actors are as the requests declared them (unverified: this server runs without sign-in)."}
      </p>
      <AuditFilterForm key={`${entityType}\u0000${entityId}\u0000${action}\u0000${actor}`} applied={filter} onApply={apply} />
      <ErrorBanner error={page.error} what="the audit trail" />
      {page.isPending ? <Loading what="audit events" /> : null}
      {page.data && events.length === 0 ? <Empty>{filtered ? "No events match these filters." : "Nothing has been recorded yet."}</Empty> : null}
      {events.length > 0 ? (
        <div className="scroll-box">
          <AuditEventsTable events={events} withEntity />
        </div>
      ) : null}
      {page.data ? <Pager paging={paging} nextToken={page.data.nextPageToken} shown={events.length} what={["event", "events"]} /> : null}
    </div>
  );
};

export default AuditPage;
