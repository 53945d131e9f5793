import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { Toaster } from "./components/ui/toast";
import { TooltipProvider } from "./components/ui/tooltip";
import "@fontsource-variable/inter";
import "./index.css";
import { RouterProvider } from "./lib/router";
import { loadRuntimeConfig } from "./lib/runtimeConfig";

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } });

function Root() {
  return (
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider>
          <TooltipProvider delayDuration={300}>
            <Toaster>
              <App />
            </Toaster>
          </TooltipProvider>
        </RouterProvider>
      </QueryClientProvider>
    </StrictMode>
  );
}

// The API, WebSocket and sign-in come from /config.json (written at deploy time; served by `reelflow serve`);
// without it the app runs against its own origin with local sign-in.
loadRuntimeConfig()
  .catch((error: Error) => console.error(error))
  .finally(() => createRoot(document.getElementById("root")!).render(<Root />));
