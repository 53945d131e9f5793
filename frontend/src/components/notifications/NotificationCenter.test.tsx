import { act, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { batchEvent } from "@/test/events";
import { FakeApi } from "@/test/fakeApi";
import { FakeSocket } from "@/test/fakeSocket";
import { makeBatch, makeDetail } from "@/test/fixtures";
import type { BatchJob } from "@/types/batch";
import { renderApp } from "@/test/render";
import { NotificationCenter } from "./NotificationCenter";

beforeEach(() => {
  FakeSocket.instances = [];
});

test("a finished batch arrives over the socket, counts as unread, names the batch and links to it", async () => {
  const user = userEvent.setup();
  const batch = makeDetail({ id: "b1", name: "Holiday vlogs", status: "completed", total_videos: 2, completed_videos: 2 });
  const api = new FakeApi().on("GET /api/batch-jobs/:id", batch).on("GET /api/batch-jobs", { batch_jobs: [], total: 0, limit: 50, offset: 0 });
  api.install();
  renderApp(<NotificationCenter userId="alice" />);

  const socket = FakeSocket.latest();
  act(() => socket.open());
  expect(socket.sent).toEqual([{ action: "subscribe" }]); // every batch of the user, not one

  act(() => socket.push(batchEvent("batch_completed", batch, 7)));
  act(() => socket.push(batchEvent("batch_completed", batch, 7))); // a redelivery counts once
  const bell = await screen.findByRole("button", { name: "Notifications, 1 unread" });

  await user.click(bell);
  const link = await screen.findByRole("link", { name: /Holiday vlogs is finished: 2 of 2 videos ready/ });
  expect(link).toHaveAttribute("href", "/batches/b1");

  await user.keyboard("{Escape}");
  expect(await screen.findByRole("button", { name: "Notifications" })).toHaveFocus();
  expect(JSON.parse(localStorage.getItem("reelflow.notifications.alice")!)[0]).toMatchObject({ read: true, batchName: "Holiday vlogs" });
});

test("e-mail opt-in sends the address and says to confirm; a deployment without e-mail says so", async () => {
  const user = userEvent.setup();
  let configured = true;
  const api = new FakeApi().on("PUT /api/me/notifications", (r) =>
    configured
      ? { email: (r.body as { email: string }).email, subscription: "pending confirmation" }
      : Response.json({ error: "E-mail notifications are not configured", detail: "This deployment has no notification topic" }, { status: 409 }),
  );
  api.install();
  renderApp(<NotificationCenter userId="alice" />);

  await user.click(screen.getByRole("button", { name: "Notifications" }));
  await user.type(screen.getByLabelText("E-mail me when a batch finishes"), "me@example.com");
  await user.click(screen.getByRole("button", { name: "Opt in" }));
  expect(await screen.findByText(/Check me@example.com: the first e-mail asks you to confirm/)).toBeInTheDocument();
  expect(api.calls("PUT", "/api/me/notifications")[0]!.body).toEqual({ email: "me@example.com" });

  configured = false;
  await user.click(screen.getByRole("button", { name: "Opt in" }));
  expect(await screen.findByText(/Could not opt in: E-mail notifications are not configured/)).toBeInTheDocument();
});

test("after a reload and after a dropped connection it catches up on the finishes it missed, once each", async () => {
  const user = userEvent.setup();
  localStorage.setItem("reelflow.notifications.alice.since", "2026-03-01T10:00:00Z"); // the last finish it knew of
  const finished = (name: string, status: BatchJob["status"], at: string, fields: Partial<BatchJob> = {}) =>
    makeBatch({ name, status, completed_at: at, total_videos: 2, completed_videos: 2, ...fields });
  let listed: BatchJob[] = [
    finished("Seen before", "completed", "2026-03-01T09:00:00Z"),
    finished("While away", "completed", "2026-03-01T11:00:00Z"),
    makeBatch({ name: "Still running", status: "processing" }),
  ];
  const api = new FakeApi().on("GET /api/batch-jobs", () => ({ batch_jobs: listed, total: listed.length, limit: 50, offset: 0 }));
  api.install();
  renderApp(<NotificationCenter userId="alice" />);

  act(() => FakeSocket.latest().open());
  expect(await screen.findByRole("button", { name: "Notifications, 1 unread" })).toBeInTheDocument();
  expect(Object.fromEntries(api.calls("GET", "/api/batch-jobs")[0]!.query)).toMatchObject({ sort: "created_at", order: "desc" });

  // Offline: a batch fails, and its live event is lost with the connection; another ends and its live
  // event does arrive after the reconnect's catch-up read it.
  const away = listed[1]!;
  const lost = finished("Lost event", "failed", "2026-03-01T12:00:00Z", { completed_videos: 1, failed_videos: 1, error_message: "2 videos failed" });
  const both = finished("Both ways", "cancelled", "2026-03-01T12:30:00Z", { completed_videos: 0, cancelled_videos: 2 });
  listed = [both, lost, ...listed];
  act(() => FakeSocket.latest().drop());
  await vi.waitFor(() => expect(FakeSocket.instances.length).toBe(2));
  act(() => FakeSocket.latest().open());
  expect(await screen.findByRole("button", { name: "Notifications, 3 unread" })).toBeInTheDocument();
  act(() => FakeSocket.latest().push(batchEvent("batch_cancelled", both, 4, { timestamp: "2026-03-01T12:30:02Z" })));
  act(() => FakeSocket.latest().push(batchEvent("batch_completed", away, 9, { timestamp: "2026-03-01T11:00:01Z" })));

  await user.click(screen.getByRole("button", { name: "Notifications, 3 unread" }));
  expect(await screen.findByRole("link", { name: /Lost event failed: 2 videos failed/ })).toBeInTheDocument();
  expect(screen.getByRole("link", { name: /Both ways was cancelled/ })).toBeInTheDocument();
  expect(screen.getByRole("link", { name: /While away is finished/ })).toBeInTheDocument();
  expect(screen.queryByRole("link", { name: /Seen before/ })).not.toBeInTheDocument();
  expect(localStorage.getItem("reelflow.notifications.alice.since")).toBe("2026-03-01T12:30:00Z");
});

test("a first visit starts from now: old finishes do not flood the inbox", async () => {
  localStorage.removeItem("reelflow.notifications.alice.since");
  const old = makeBatch({ name: "Last year", status: "completed", completed_at: "2025-01-01T10:00:00Z" });
  const api = new FakeApi().on("GET /api/batch-jobs", { batch_jobs: [old], total: 1, limit: 50, offset: 0 });
  api.install();
  renderApp(<NotificationCenter userId="alice" />);
  act(() => FakeSocket.latest().open());
  await vi.waitFor(() => expect(localStorage.getItem("reelflow.notifications.alice.since")).toBe("2025-01-01T10:00:00Z"));
  expect(screen.getByRole("button", { name: "Notifications" })).toBeInTheDocument();
});
