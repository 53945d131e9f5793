/**
 * Live progress over the WebSocket API: subscribe to one batch, reconnect with backoff, and catch up
 * with `since` (the last sequence number seen), so nothing is missed across a dropped connection.
 * Without a `batchId` it subscribes to all the caller's batches (sequence numbers are per batch, so
 * there is no catching up: the notification center listens this way).
 */
import { runtimeConfig } from "@/lib/runtimeConfig";
import type { BatchSocketMessage } from "@/types/batch";

export type SocketFactory = (url: string) => WebSocket;

export interface ProgressSubscription {
  close(): void;
}

export interface SubscribeOptions {
  batchId?: string;
  token: string;
  url?: string;
  onMessage: (message: BatchSocketMessage) => void;
  onConnection?: (connected: boolean) => void;
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  socketFactory?: SocketFactory;
}

export function defaultSocketUrl(): string {
  const configured = (globalThis as { REELFLOW_WS_URL?: string }).REELFLOW_WS_URL;
  return configured || runtimeConfig().webSocketUrl;
}

export function subscribeToBatchProgress(options: SubscribeOptions): ProgressSubscription {
  const {
    batchId,
    token,
    onMessage,
    onConnection,
    reconnectDelayMs = 1000,
    maxReconnectDelayMs = 15000,
    socketFactory = (url) => new WebSocket(url),
  } = options;
  const url = `${options.url ?? defaultSocketUrl()}?token=${encodeURIComponent(token)}`;
  let lastSequence: number | null = null;
  let socket: WebSocket | null = null;
  let closed = false;
  let attempts = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    socket = socketFactory(url);
    socket.onopen = () => {
      attempts = 0;
      onConnection?.(true);
      const subscribe: Record<string, unknown> = { action: "subscribe" };
      if (batchId !== undefined) subscribe.batch_id = batchId;
      if (batchId !== undefined && lastSequence !== null) subscribe.since = lastSequence;
      socket?.send(JSON.stringify(subscribe));
    };
    socket.onmessage = (event: MessageEvent) => {
      let data: unknown;
      try {
        data = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (!data || typeof data !== "object" || !("type" in data)) return; // subscribe acknowledgements
      const message = data as BatchSocketMessage;
      if (batchId === undefined) return onMessage(message);
      if (message.batch_id !== batchId) return;
      if (message.type === "batch_snapshot") {
        lastSequence = message.sequence;
      } else {
        if (lastSequence !== null && message.sequence <= lastSequence) return; // already seen
        lastSequence = message.sequence;
      }
      onMessage(message);
    };
    socket.onclose = () => {
      onConnection?.(false);
      if (closed) return;
      const delay = Math.min(maxReconnectDelayMs, reconnectDelayMs * 2 ** attempts);
      attempts += 1;
      timer = setTimeout(connect, delay);
    };
  };
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}
