import { formatBytes, formatDuration, formatEta, relativeTime, timeUntil } from "./utils";

test("formats sizes, durations and times the way the UI shows them", () => {
  expect(formatBytes(512)).toBe("512 B");
  expect(formatBytes(2 * 1024 ** 3)).toBe("2.0 GB");
  expect(formatBytes(150 * 1024 ** 2)).toBe("150 MB");
  expect(formatDuration(65)).toBe("1:05");
  expect(formatDuration(3725)).toBe("1:02:05");
  expect(formatDuration(null)).toBe("—");
  expect(formatEta(42)).toBe("42 s");
  expect(formatEta(3900)).toBe("1 h 5 min");
  const now = Date.parse("2026-01-01T12:00:00Z");
  expect(relativeTime("2026-01-01T10:00:00Z", now)).toBe("2 hours ago");
  expect(timeUntil("2026-01-02T11:45:00Z", now)).toBe("23 hours 45 minutes");
  expect(timeUntil("2026-01-01T11:00:00Z", now)).toBeNull();
});
