import { useInfiniteQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useMayAdminister } from "../../auth/session";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { AuditEventsTable } from "../audit/audit-events-table";
import { listAuditEvents, registryKeys, type AuditEntity } from "./registry-api";

/**
 * One entity's events from the audit trail (a model's or a version's), oldest first as the trail keeps them, a page
 * at a time. `empty` says what an empty trail means for that entity.
 */
export const AuditTrail = ({ entity, empty }: { entity: AuditEntity; empty: string }): ReactNode =>
  useMayAdminister() ? <EntityAuditEvents entity={entity} empty={empty} /> : <Empty>With sign-in on, the audit trail is shown to administrators only.</Empty>;

const EntityAuditEvents = ({ entity, empty }: { entity: AuditEntity; empty: string }): ReactNode => {
  const query = useInfiniteQuery({
    queryKey: registryKeys.audit(entity),
    queryFn: ({ pageParam, signal }) => listAuditEvents(entity, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextPageToken,
  });
  const events = query.data?.pages.flatMap((page) => page.items) ?? [];
  if (query.isPending) return <Loading what="audit events" />;
  return (
    <>
      <ErrorBanner error={query.error} what="the audit events" />
      {query.data && events.length === 0 ? <Empty>{empty}</Empty> : null}
      {events.length > 0 ? (
        <AuditEventsTable events={events} />
      ) : null}
      {query.hasNextPage ? (
        <button type="button" className="load-more" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? "Loading…" : "Load more events"}
        </button>
      ) : null}
    </>
  );
};
