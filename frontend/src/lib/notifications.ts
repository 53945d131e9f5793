/**
 * The notification center's inbox: one entry per batch that completed, failed or was cancelled, kept in
 * localStorage per user (the API pushes these over the WebSocket; it keeps no inbox of its own).
 *
 * What the socket missed (the page was closed, the connection dropped) is caught up from the batch
 * list at every (re)connect: a batch that finished after the last finish the inbox knows of becomes an
 * entry, unless a live event already made one for the same finish.
 */
import type { BatchJob, BatchSocketMessage } from "@/types/batch";

export type NotificationKind = "completed" | "failed" | "cancelled";

export interface BatchNotification {
  id: string;
  batchId: string;
  batchName: string | null;
  kind: NotificationKind;
  at: string;
  read: boolean;
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  error: string | null;
}

export const MAX_NOTIFICATIONS = 30;
const KINDS: Record<string, NotificationKind> = {
  batch_completed: "completed",
  batch_failed: "failed",
  batch_cancelled: "cancelled",
};

/** The entry a socket message makes, or null for the messages the center does not keep. */
export function notificationFrom(message: BatchSocketMessage): BatchNotification | null {
  const kind = KINDS[message.type];
  if (!kind || !("total_videos" in message)) return null;
  return {
    id: `${message.batch_id}:${message.sequence}`,
    batchId: message.batch_id,
    batchName: null,
    kind,
    at: message.timestamp,
    read: false,
    total: message.total_videos ?? 0,
    completed: message.completed_videos ?? 0,
    failed: message.failed_videos ?? 0,
    cancelled: message.cancelled_videos ?? 0,
    error: ("error_message" in message ? message.error_message : null) ?? null,
  };
}

// A live event and the batch's completed_at of the same finish are seconds apart; two finishes of one
// batch (a retry) are minutes apart at least.
const SAME_FINISH_MS = 5 * 60_000;

function sameFinish(a: BatchNotification, b: BatchNotification): boolean {
  return a.id === b.id || (a.batchId === b.batchId && a.kind === b.kind && Math.abs(Date.parse(a.at) - Date.parse(b.at)) <= SAME_FINISH_MS);
}

/** Newest first; the same finish twice (a redelivery, a live event and its catch-up) is kept once; the
 * oldest go past the limit. */
export function addNotification(inbox: BatchNotification[], entry: BatchNotification): BatchNotification[] {
  if (inbox.some((n) => sameFinish(n, entry))) return inbox;
  return [entry, ...inbox].sort((a, b) => b.at.localeCompare(a.at)).slice(0, MAX_NOTIFICATIONS);
}

/** The entry a finished batch of the list makes (the catch-up), or null for a batch still going. */
export function notificationFromBatch(batch: BatchJob): BatchNotification | null {
  const kind = KINDS[`batch_${batch.status}`];
  if (!kind || !batch.completed_at) return null;
  return {
    id: `${batch.id}:${batch.completed_at}`,
    batchId: batch.id,
    batchName: batch.name,
    kind,
    at: batch.completed_at,
    read: false,
    total: batch.total_videos,
    completed: batch.completed_videos,
    failed: batch.failed_videos,
    cancelled: batch.cancelled_videos,
    error: batch.error_message ?? null,
  };
}

/** The latest finish among `batches` and `since` (server times, so a skewed client clock loses nothing). */
export function latestFinish(batches: BatchJob[], since: string | null): string | null {
  const times = batches.map((b) => (notificationFromBatch(b) ? b.completed_at : null)).filter((t): t is string => !!t);
  return [since, ...times].reduce<string | null>((latest, t) => (t && (!latest || Date.parse(t) > Date.parse(latest)) ? t : latest), null);
}

/** The inbox with the finishes after `since` it missed. With no `since` (the first visit) nothing is
 * added: a new browser does not fill with every batch the user ever ran. */
export function catchUp(inbox: BatchNotification[], batches: BatchJob[], since: string | null): BatchNotification[] {
  if (since === null) return inbox;
  return batches
    .map(notificationFromBatch)
    .filter((entry): entry is BatchNotification => !!entry && Date.parse(entry.at) > Date.parse(since))
    .reduce(addNotification, inbox);
}

const sinceKey = (userId: string) => `reelflow.notifications.${userId}.since`;

export function loadSince(userId: string): string | null {
  return localStorage.getItem(sinceKey(userId));
}

export function saveSince(userId: string, since: string | null): void {
  if (since) localStorage.setItem(sinceKey(userId), since);
}

export function markAllRead(inbox: BatchNotification[]): BatchNotification[] {
  return inbox.some((n) => !n.read) ? inbox.map((n) => ({ ...n, read: true })) : inbox;
}

export function unreadCount(inbox: BatchNotification[]): number {
  return inbox.filter((n) => !n.read).length;
}

export function named(inbox: BatchNotification[], batchId: string, name: string): BatchNotification[] {
  return inbox.map((n) => (n.batchId === batchId && n.batchName !== name ? { ...n, batchName: name } : n));
}

export function describeNotification(n: BatchNotification): string {
  const name = n.batchName ?? "A batch";
  const problems = [n.failed && `${n.failed} failed`, n.cancelled && `${n.cancelled} cancelled`].filter(Boolean).join(", ");
  const counts = `${n.completed} of ${n.total} videos ready${problems ? `, ${problems}` : ""}`;
  if (n.kind === "completed") return `${name} is finished: ${counts}.`;
  if (n.kind === "cancelled") return `${name} was cancelled: ${counts}.`;
  return `${name} failed${n.error ? `: ${n.error}` : ""} (${counts}).`;
}

const storageKey = (userId: string) => `reelflow.notifications.${userId}`;

export function loadInbox(userId: string): BatchNotification[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(storageKey(userId)) ?? "[]");
    return Array.isArray(parsed) ? (parsed as BatchNotification[]).filter((n) => n && typeof n.id === "string") : [];
  } catch {
    return [];
  }
}

export function saveInbox(userId: string, inbox: BatchNotification[]): void {
  localStorage.setItem(storageKey(userId), JSON.stringify(inbox));
}
