import { useQuery, useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { getBatchJob } from "@/api/client";
import { type SocketFactory, subscribeToBatchProgress } from "@/api/progress";
import { loadSession } from "@/lib/auth";
import { applyMessage, describeEvent } from "@/lib/liveBatch";
import type { BatchJobDetail, BatchSocketMessage, ProgressEvent } from "@/types/batch";
import { TERMINAL_STATUSES } from "@/types/batch";

export interface LiveConfig {
  socketFactory?: SocketFactory;
  url?: string;
  reconnectDelayMs?: number;
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
  const queryClient = useQueryClient();
  const [connected, setConnected] = React.useState(false);
  const [activity, setActivity] = React.useState<ActivityEntry[]>([]);
  const onEventRef = React.useRef(onEvent);
  onEventRef.current = onEvent;

  const query = useQuery({
    queryKey: batchKey(batchId),
    queryFn: () => getBatchJob(batchId),
    refetchInterval: (q) => {
      const status = q.state.data?.status;
      return !connected && status && !TERMINAL_STATUSES.includes(status) ? 5000 : false;
    },
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
          queryClient.setQueryData(batchKey(batchId), message.batch);
          return;
        }
        const after = before ? applyMessage(before, message) : undefined;
        if (after) queryClient.setQueryData(batchKey(batchId), after);
        else void queryClient.invalidateQueries({ queryKey: batchKey(batchId) });
        setActivity((log) =>
          [
            { sequence: message.sequence, at: message.timestamp, text: describeEvent(message, after ?? before), event: message },
            ...log,
          ].slice(0, 50),
        );
        if (after) onEventRef.current?.(message, after);
        if (message.type.startsWith("batch_") && message.type !== "batch_progress") {
          void queryClient.invalidateQueries({ queryKey: ["batch-jobs"] });
        }
      },
    });
    return () => subscription.close();
  }, [batchId, config.socketFactory, config.url, config.reconnectDelayMs, queryClient]);

  return { batch: query.data, isLoading: query.isLoading, error: query.error, connected, activity };
}
