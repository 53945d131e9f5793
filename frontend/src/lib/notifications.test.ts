import { batchEvent, videoEvent } from "@/test/events";
import { makeDetail, makeVideo } from "@/test/fixtures";
import {
  addNotification,
  describeNotification,
  loadInbox,
  MAX_NOTIFICATIONS,
  markAllRead,
  named,
  notificationFrom,
  saveInbox,
  unreadCount,
} from "./notifications";

const batch = makeDetail({ id: "b1", status: "completed", total_videos: 3, completed_videos: 2, failed_videos: 1, cancelled_videos: 0 });

test("keeps finished batches only: completed, failed, cancelled", () => {
  expect(notificationFrom(batchEvent("batch_completed", batch, 9))).toMatchObject({ kind: "completed", batchId: "b1", failed: 1 });
  expect(notificationFrom(batchEvent("batch_failed", batch, 9, { error_message: "quota" }))).toMatchObject({ kind: "failed", error: "quota" });
  expect(notificationFrom(batchEvent("batch_cancelled", batch, 9))?.kind).toBe("cancelled");
  expect(notificationFrom(batchEvent("batch_progress", batch, 9))).toBeNull();
  expect(notificationFrom(videoEvent("video_completed", batch, makeVideo(), 9))).toBeNull();
});

test("the same event twice is kept once, newest first, bounded", () => {
  const first = notificationFrom(batchEvent("batch_completed", batch, 9))!;
  let inbox = addNotification([], first);
  expect(addNotification(inbox, { ...first })).toBe(inbox);
  for (let i = 0; i < MAX_NOTIFICATIONS + 5; i += 1) {
    inbox = addNotification(inbox, { ...first, id: `b${i}:1`, batchId: `b${i}`, at: `2026-02-01T00:00:${String(i).padStart(2, "0")}Z` });
  }
  expect(inbox).toHaveLength(MAX_NOTIFICATIONS);
  expect(inbox[0]!.id).toBe(`b${MAX_NOTIFICATIONS + 4}:1`);
  expect(unreadCount(inbox)).toBe(MAX_NOTIFICATIONS);
  expect(unreadCount(markAllRead(inbox))).toBe(0);
});

test("says what happened in words, with the batch's name once known", () => {
  const entry = notificationFrom(batchEvent("batch_completed", batch, 9))!;
  expect(describeNotification(entry)).toBe("A batch is finished: 2 of 3 videos ready, 1 failed.");
  const [withName] = named([entry], "b1", "Vlogs");
  expect(describeNotification(withName!)).toMatch(/^Vlogs is finished/);
});

test("the inbox survives a reload, per user, and a corrupt store reads as empty", () => {
  const entry = notificationFrom(batchEvent("batch_cancelled", batch, 4))!;
  saveInbox("alice", [entry]);
  expect(loadInbox("alice")).toEqual([entry]);
  expect(loadInbox("bob")).toEqual([]);
  localStorage.setItem("reelflow.notifications.alice", "{not json");
  expect(loadInbox("alice")).toEqual([]);
});
