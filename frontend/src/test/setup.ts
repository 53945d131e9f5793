import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { drainViolations } from "./fakeApi";

afterEach(() => {
  cleanup();
  localStorage.clear();
});

// jsdom lacks these; Radix primitives call them.
class ResizeObserverStub {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver;
Element.prototype.scrollIntoView ??= function scrollIntoView() {};
Element.prototype.hasPointerCapture ??= () => false;
Element.prototype.releasePointerCapture ??= () => {};
window.matchMedia ??= ((query: string) => ({
  matches: false,
  media: query,
  onchange: null,
  addListener: () => {},
  removeListener: () => {},
  addEventListener: () => {},
  removeEventListener: () => {},
  dispatchEvent: () => false,
})) as unknown as typeof window.matchMedia;

// A fake that saw a request the API refuses, or gave an answer the API never gives, fails the test.
afterEach(() => {
  const violations = drainViolations();
  if (violations.length) throw new Error(`The API contract was broken:\n${violations.join("\n")}`);
});
