import { useQuery, useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { getBatchJob } from "@/api/client";
import { type SocketFactory, subscribeToBatchProgress } from "@/api/progress";
import { loadSession } from "@/lib/auth";
import { batchLinksRefreshDelay } from "@/lib/linkRefresh";
import { applyMessage, describeEvent, safetyPollMs, withFreshUrls, worthLogging } from "@/lib/liveBatch";
import type { BatchJobDetail, BatchSocketMessage, ProgressEvent } from "@/types/batch";
import { TERMINAL_STATUSES } from "@/types/batch";

export interface LiveConfig {
  socketFactory?: SocketFactory;
  url?: string;
  reconnectDelayMs?: number;
  pollConnectedMs?: number;
  pollDisconnectedMs?: number;
}
export const LiveConfigContext = React.createContext<LiveConfig>({});

export interface ActivityEntry {
  sequence: number;
  at: string;
  text: string;
  event: ProgressEvent;
}

export const batchKey = (id: string) => ["batch-job", id] as const;

/** The batch as the server has it, kept current by WebSocket events (and by polling while offline). */
export function useBatchLive(batchId: string, onEvent?: (event: ProgressEvent, batch: BatchJobDetail) => void) {
  const config = React.useContext(LiveConfigContext);
  const { pollConnectedMs = 5000, pollDisconnectedMs = 2000 } = config;
  const queryClient = useQueryClient();
  const [connected, setConnected] = React.useState(false);
  const [activity, setActivity] = React.useState<ActivityEntry[]>([]);
  const loggedStage = React.useRef(new Map<string, string | null>());
  const onEventRef = React.useRef(onEvent);
  onEventRef.current = onEvent;

  const query = useQuery({
    queryKey: batchKey(batchId),
    queryFn: () => getBatchJob(batchId),
    // Events keep the page current; polling stays as a safety net (faster while the socket is down).
    refetchInterval: (q) => {
      const data = q.state.data;
      if (!data) return false;
      // A finished batch is read again just before its output and artifact links stop working.
      if (TERMINAL_STATUSES.includes(data.status)) return batchLinksRefreshDelay(data, Date.now());
      return safetyPollMs(connected ? pollConnectedMs : pollDisconnectedMs, data.total_videos);
    },
    refetchIntervalInBackground: true, // a watched batch keeps moving in a background tab too
  });

  React.useEffect(() => {
    const token = loadSession()?.token;
    if (!token) return;
    const subscription = subscribeToBatchProgress({
      batchId,
      token,
      url: config.url,
      socketFactory: config.socketFactory,
      reconnectDelayMs: config.reconnectDelayMs,
      onConnection: setConnected,
      onMessage: (message: BatchSocketMessage) => {
        const before = queryClient.getQueryData<BatchJobDetail>(batchKey(batchId));
        if (message.type === "batch_snapshot") {
          // The snapshot holds states, not the full records (URLs, settings): lay it over what we hold.
          if (before) queryClient.setQueryData(batchKey(batchId), applyMessage(before, message));
          else void queryClient.invalidateQueries({ queryKey: batchKey(batchId) });
          return;
        }
        const after = before ? applyMessage(before, message) : undefined;
        if (after) queryClient.setQueryData(batchKey(batchId), after);
        else void queryClient.invalidateQueries({ queryKey: batchKey(batchId) });
        if (worthLogging(message, loggedStage.current)) {
          setActivity((log) =>
            [
              { sequence: message.sequence, at: message.timestamp, text: describeEvent(message, after ?? before), event: message },
              ...log,
            ].slice(0, 50),
          );
        }
        if (after) onEventRef.current?.(message, after);
        if (message.type === "video_completed") {
          const videoId = message.video_id;
          void getBatchJob(batchId).then(
            (fresh) =>
              queryClient.setQueryData<BatchJobDetail>(batchKey(batchId), (held) => held && withFreshUrls(held, fresh, videoId)),
            () => undefined, // the next poll brings them
          );
        }
        if (message.type.startsWith("batch_") && message.type !== "batch_progress") {
          void queryClient.invalidateQueries({ queryKey: ["batch-jobs"] });
        }
      },
    });
    return () => subscription.close();
  }, [batchId, config.socketFactory, config.url, config.reconnectDelayMs, queryClient]);

  return {
    batch: query.data,
    isLoading: query.isLoading,
    error: query.error,
    refetch: query.refetch,
    isFetching: query.isFetching,
    offline: query.fetchStatus === "paused", // the browser is offline: the query waits for the network
    connected,
    activity,
  };
}
