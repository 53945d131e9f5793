import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type * as React from "react";
import { Toaster } from "@/components/ui/toast";
import { TooltipProvider } from "@/components/ui/tooltip";
import { LiveConfigContext } from "@/hooks/useBatchLive";
import { saveSession } from "@/lib/auth";
import { fakeSocketFactory } from "./fakeSocket";

/** Renders with the app's providers, a signed-in user and the fake WebSocket. */
export function renderApp(ui: React.ReactElement) {
  saveSession({ token: "test-token", user_id: "alice", tier: "creator" });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const result = render(
    <QueryClientProvider client={queryClient}>
      <LiveConfigContext.Provider value={{ socketFactory: fakeSocketFactory, url: "ws://test/ws", reconnectDelayMs: 10 }}>
        <TooltipProvider>
          <Toaster>{ui}</Toaster>
        </TooltipProvider>
      </LiveConfigContext.Provider>
    </QueryClientProvider>,
  );
  return { ...result, queryClient };
}
