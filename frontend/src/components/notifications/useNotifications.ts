import { useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { getBatchJob } from "@/api/client";
import { subscribeToBatchProgress } from "@/api/progress";
import { LiveConfigContext } from "@/hooks/useBatchLive";
import { loadSession } from "@/lib/auth";
import {
  addNotification,
  type BatchNotification,
  loadInbox,
  markAllRead,
  named,
  notificationFrom,
  saveInbox,
} from "@/lib/notifications";

/** The signed-in user's inbox, fed by one WebSocket subscription to all their batches. */
export function useNotifications(userId: string) {
  const config = React.useContext(LiveConfigContext);
  const queryClient = useQueryClient();
  const [inbox, setInbox] = React.useState<BatchNotification[]>(() => loadInbox(userId));

  const update = React.useCallback(
    (change: (current: BatchNotification[]) => BatchNotification[]) =>
      setInbox((current) => {
        const next = change(current);
        if (next !== current) saveInbox(userId, next);
        return next;
      }),
    [userId],
  );

  React.useEffect(() => setInbox(loadInbox(userId)), [userId]);

  React.useEffect(() => {
    const token = loadSession()?.token;
    if (!token) return;
    const subscription = subscribeToBatchProgress({
      token,
      url: config.url,
      socketFactory: config.socketFactory,
      reconnectDelayMs: config.reconnectDelayMs,
      onMessage: (message) => {
        const entry = notificationFrom(message);
        if (!entry) return;
        update((current) => addNotification(current, entry));
        void queryClient.invalidateQueries({ queryKey: ["batch-jobs"] });
        getBatchJob(entry.batchId).then(
          (batch) => update((current) => named(current, batch.id, batch.name)),
          () => undefined, // deleted since: the entry keeps its generic name
        );
      },
    });
    return () => subscription.close();
  }, [config.socketFactory, config.url, config.reconnectDelayMs, queryClient, update]);

  return {
    inbox,
    markAllRead: React.useCallback(() => update(markAllRead), [update]),
    clear: React.useCallback(() => update(() => []), [update]),
  };
}
