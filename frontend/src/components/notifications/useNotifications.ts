import { useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { getBatchJob, getBatchJobs } from "@/api/client";
import { subscribeToBatchProgress } from "@/api/progress";
import { LiveConfigContext } from "@/hooks/useBatchLive";
import { loadSession } from "@/lib/auth";
import {
  addNotification,
  type BatchNotification,
  catchUp,
  latestFinish,
  loadInbox,
  loadSince,
  markAllRead,
  named,
  notificationFrom,
  saveInbox,
  saveSince,
} from "@/lib/notifications";

const CATCH_UP_PAGE = 50; // the newest batches a (re)connect looks through for finishes it missed

/** The signed-in user's inbox, fed by one WebSocket subscription to all their batches, and caught up
 * from the batch list at every (re)connect (what finished while the page was closed or offline). */
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

  const catchUpNow = React.useCallback(() => {
    getBatchJobs({ limit: CATCH_UP_PAGE, sort: "created_at", order: "desc" }).then(
      (page) => {
        const since = loadSince(userId);
        update((current) => catchUp(current, page.batch_jobs, since));
        saveSince(userId, latestFinish(page.batch_jobs, since));
      },
      () => undefined, // offline again: the next connect tries again
    );
  }, [userId, update]);

  React.useEffect(() => {
    const token = loadSession()?.token;
    if (!token) return;
    const subscription = subscribeToBatchProgress({
      token,
      url: config.url,
      socketFactory: config.socketFactory,
      reconnectDelayMs: config.reconnectDelayMs,
      onConnection: (connected) => connected && catchUpNow(),
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
  }, [config.socketFactory, config.url, config.reconnectDelayMs, queryClient, update, catchUpNow]);

  return {
    inbox,
    markAllRead: React.useCallback(() => update(markAllRead), [update]),
    clear: React.useCallback(() => update(() => []), [update]),
  };
}
