import type { BatchSocketMessage } from "@/types/batch";
/** A WebSocket the test drives: it records what the client sends and delivers what the test pushes. */
export class FakeSocket {
  static instances: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  sent: unknown[] = [];
  readyState = 0;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  static latest(): FakeSocket {
    return FakeSocket.instances[FakeSocket.instances.length - 1]!;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  push(message: BatchSocketMessage | { status: number; message: string }): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.();
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
    this.onclose?.();
  }
}

export const fakeSocketFactory = (url: string) => new FakeSocket(url) as unknown as WebSocket;
