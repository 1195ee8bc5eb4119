import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import { PageHeader } from "../../components/page";
import { Pager, resetPaging, usePaging } from "../../components/pager";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { formatTime } from "../../format";
import { useQueryParam, useSetSearchParams } from "../../url-state";
import { snapshotText } from "../audit/audit-events-table";
import { actorName } from "../models/text";
import { DELIVERY_STATUSES, listDeliveries, listWebhooks, webhookKeys, type DeliveryWire, type WebhookWire } from "./webhooks-api";
import "../audit/audit.css";

const STATUS_BADGE: Record<string, string> = { delivered: "badge ok", failed: "badge danger", pending: "badge warn" };

const webhookHref = (id: string): string => `/webhooks?webhook=${encodeURIComponent(id)}`;

const WebhooksTable = ({ webhooks, chosen }: { webhooks: readonly WebhookWire[]; chosen: string }): ReactNode => (
  <div className="scroll-box">
    <table className="data" aria-label="Webhooks">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">URL</th>
          <th scope="col">Events</th>
          <th scope="col">Format</th>
          <th scope="col">State</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {webhooks.map((webhook) => (
          <tr key={webhook.id} className={webhook.id === chosen ? "chosen" : undefined}>
            <th scope="row">
              <Link href={webhookHref(webhook.id)} aria-current={webhook.id === chosen ? "true" : undefined}>
                {webhook.name}
              </Link>
            </th>
            <td className="mono">{webhook.url}</td>
            <td className="mono">{webhook.events.join(", ")}</td>
            <td>{webhook.format}</td>
            <td>{webhook.active ? <span className="badge ok">active</span> : <span className="badge muted">paused</span>}</td>
            <td className="nowrap">{formatTime(webhook.created_time)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

/** What the receiver answered, or why nothing was answered; a pending one says when it is tried again. */
const outcome = (delivery: DeliveryWire): string => {
  const parts: string[] = [];
  if (delivery.last_status_code !== undefined) parts.push(`HTTP ${delivery.last_status_code}`);
  if (delivery.last_error) parts.push(delivery.last_error);
  if (delivery.status === "pending" && delivery.next_attempt_time !== undefined) parts.push(`next try ${formatTime(delivery.next_attempt_time)}`);
  return parts.join(" · ") || "—";
};

const DeliveriesTable = ({ deliveries, names }: { deliveries: readonly DeliveryWire[]; names: ReadonlyMap<string, string> }): ReactNode => (
  <div className="scroll-box">
    <table className="data" aria-label="Deliveries">
      <thead>
        <tr>
          <th scope="col">Created</th>
          <th scope="col">Webhook</th>
          <th scope="col">Event</th>
          <th scope="col">Status</th>
          <th scope="col" className="num">
            Attempts
          </th>
          <th scope="col">Outcome</th>
          <th scope="col">Delivered</th>
          <th scope="col">Actor</th>
          <th scope="col">Payload</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((delivery) => (
          <tr key={delivery.id}>
            <td className="nowrap">{formatTime(delivery.created_time)}</td>
            <td>
              <Link href={webhookHref(delivery.webhook_id)}>{names.get(delivery.webhook_id) ?? delivery.webhook_id}</Link>
            </td>
            <td className="mono">{delivery.event_type}</td>
            <td>
              <span className={STATUS_BADGE[delivery.status] ?? "badge"}>{delivery.status}</span>
            </td>
            <td className="num">{delivery.attempts}</td>
            <td>{outcome(delivery)}</td>
            <td className="nowrap">{delivery.delivered_time ? formatTime(delivery.delivered_time) : "—"}</td>
            <td className="nowrap">{actorName(delivery.actor)}</td>
            <td className="mono audit-snapshot">{snapshotText(delivery.payload)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

/**
 * Webhooks and their deliveries. The chosen webhook (`webhook=<id>`) narrows the deliveries; `status=` keeps one
 * status; deliveries are newest first, a page at a time (`page=` tokens, `size=`).
 */
const WebhooksPage = (): ReactNode => {
  const [chosen] = useQueryParam("webhook");
  const [status] = useQueryParam("status");
  const set = useSetSearchParams();
  const paging = usePaging();
  const webhooks = useQuery({ queryKey: webhookKeys.list(), queryFn: ({ signal }) => listWebhooks(signal) });
  const query = { webhookId: chosen, status, pageSize: paging.pageSize, pageToken: paging.token };
  const deliveries = useQuery({ queryKey: webhookKeys.deliveries(query), queryFn: ({ signal }) => listDeliveries(query, signal), placeholderData: keepPreviousData });
  const names = new Map((webhooks.data ?? []).map((webhook) => [webhook.id, webhook.name]));
  const chosenName = chosen ? (names.get(chosen) ?? chosen) : undefined;
  const rows = deliveries.data?.deliveries ?? [];
  return (
    <div className="page webhooks-page">
      <PageHeader title="Webhooks" />
      <section className="card" aria-labelledby="webhooks-heading">
        <h2 id="webhooks-heading">Webhooks{webhooks.data ? ` (${webhooks.data.length})` : ""}</h2>
        <ErrorBanner error={webhooks.error} what="the webhooks" />
        {webhooks.isPending ? <Loading what="webhooks" /> : null}
        {webhooks.data && webhooks.data.length === 0 ? <Empty>No webhooks yet: create one with `cairn webhooks create` or the API.</Empty> : null}
        {webhooks.data && webhooks.data.length > 0 ? <WebhooksTable webhooks={webhooks.data} chosen={chosen} /> : null}
      </section>
      <section className="card" aria-labelledby="deliveries-heading">
        <div className="card-title-row">
          <h2 id="deliveries-heading">Deliveries{chosenName ? ` of ${chosenName}` : ""}</h2>
          <div className="toolbar">
            {chosen ? (
              <Link href={status ? `/webhooks?status=${encodeURIComponent(status)}` : "/webhooks"}>All webhooks&apos; deliveries</Link>
            ) : null}
            <label>
              <span className="muted">Status </span>
              <select value={status} onChange={(event) => set({ status: event.target.value, ...resetPaging }, { push: true })}>
                <option value="">any</option>
                {DELIVERY_STATUSES.map((one) => (
                  <option key={one} value={one}>
                    {one}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </div>
        <ErrorBanner error={deliveries.error} what="the deliveries" />
        {deliveries.isPending ? <Loading what="deliveries" /> : null}
        {deliveries.data && rows.length === 0 ? <Empty>No deliveries{status ? ` with status ${status}` : ""}.</Empty> : null}
        {rows.length > 0 ? <DeliveriesTable deliveries={rows} names={names} /> : null}
        {deliveries.data ? <Pager paging={paging} nextToken={deliveries.data.nextPageToken} shown={rows.length} what={["delivery", "deliveries"]} /> : null}
      </section>
    </div>
  );
};

export default WebhooksPage;
