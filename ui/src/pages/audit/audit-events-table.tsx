import type { ReactNode } from "react";
import { formatTime } from "../../format";
import type { AuditEventMessage } from "../models/registry-wire";
import { actorName } from "../models/text";
import { EntityLink } from "./entity-link";

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
 * Audit events as a table, for the global trail (with an Entity column linking each event's entity) and for one
 * entity's trail on its own page (where the entity goes without saying).
 */
export const AuditEventsTable = ({ events, withEntity = false }: { events: readonly AuditEventMessage[]; withEntity?: boolean }): ReactNode => (
  <table className="data" aria-label="Audit events">
    <thead>
      <tr>
        <th scope="col" className="num">
          #
        </th>
        <th scope="col">Time</th>
        <th scope="col">Actor</th>
        <th scope="col">Action</th>
        {withEntity ? <th scope="col">Entity</th> : null}
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
          {withEntity ? (
            <td>
              <EntityLink entityType={event.entity_type} entityId={event.entity_id} />
            </td>
          ) : null}
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
);
