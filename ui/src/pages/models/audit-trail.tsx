import { useInfiniteQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { listAuditEvents, registryKeys, type AuditEntity } from "./registry-api";
import { actorName } from "./text";

const SNAPSHOT_CHARS = 160;

/** A before/after snapshot on one line: compact JSON, cut at a readable length (the full text is the title). */
export const snapshotText = (value: unknown): string => {
  if (value === null || value === undefined) return "—";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > SNAPSHOT_CHARS ? `${text.slice(0, SNAPSHOT_CHARS - 1)}…` : text;
};

const fullText = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value, null, 2);

/**
 * One entity's events from the audit trail (a model's or a version's), oldest first as the trail keeps them, a page
 * at a time. `empty` says what an empty trail means for that entity.
 */
export const AuditTrail = ({ entity, empty }: { entity: AuditEntity; empty: string }): ReactNode => {
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
        <table className="data" aria-label="Audit events">
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.seq}>
                <td className="num">{event.seq}</td>
                <td className="nowrap">{formatTime(event.time)}</td>
                <td className="nowrap">{actorName(event.actor)}</td>
                <td className="mono">{event.action}</td>
                <td className="mono audit-snapshot" title={fullText(event.before)}>
                  {snapshotText(event.before)}
                </td>
                <td className="mono audit-snapshot" title={fullText(event.after)}>
                  {snapshotText(event.after)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {query.hasNextPage ? (
        <button type="button" className="load-more" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? "Loading…" : "Load more events"}
        </button>
      ) : null}
    </>
  );
};
