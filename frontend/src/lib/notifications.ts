/**
 * The notification center's inbox: one entry per batch that completed, failed or was cancelled, kept in
 * localStorage per user (the API pushes these over the WebSocket; it keeps no inbox of its own).
 */
import type { BatchSocketMessage } from "@/types/batch";

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

/** Newest first; the same event twice (a reconnect) is kept once; the oldest go past the limit. */
export function addNotification(inbox: BatchNotification[], entry: BatchNotification): BatchNotification[] {
  if (inbox.some((n) => n.id === entry.id)) return inbox;
  return [entry, ...inbox].sort((a, b) => b.at.localeCompare(a.at)).slice(0, MAX_NOTIFICATIONS);
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
