import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { Toaster } from "./components/ui/toast";
import { TooltipProvider } from "./components/ui/tooltip";
import "./index.css";
import { RouterProvider } from "./lib/router";

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } });

createRoot(document.getElementById("root")!).render(
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
  </StrictMode>,
);
