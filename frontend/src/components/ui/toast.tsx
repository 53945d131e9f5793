import { Toast as T } from "radix-ui";
import * as React from "react";
import { cn } from "@/lib/utils";

export interface ToastMessage {
  id: number;
  title: string;
  description?: string;
  variant?: "default" | "success" | "destructive";
}

type Notify = (toast: Omit<ToastMessage, "id">) => void;
const ToastContext = React.createContext<Notify>(() => {});

export function useToast(): Notify {
  return React.useContext(ToastContext);
}

export function Toaster({ children, duration = 5000 }: { children: React.ReactNode; duration?: number }) {
  const [toasts, setToasts] = React.useState<ToastMessage[]>([]);
  const nextId = React.useRef(1);
  const notify = React.useCallback<Notify>((toast) => {
    const id = nextId.current++;
    setToasts((current) => [...current.slice(-4), { ...toast, id }]);
  }, []);
  return (
    <ToastContext.Provider value={notify}>
      <T.Provider duration={duration}>
        {children}
        {toasts.map((toast) => (
          <T.Root
            key={toast.id}
            onOpenChange={(open) => !open && setToasts((current) => current.filter((t) => t.id !== toast.id))}
            className={cn(
              "rounded-md border p-3 shadow-md",
              toast.variant === "destructive" && "border-red-300 bg-red-50 text-red-900",
              toast.variant === "success" && "border-green-300 bg-green-50 text-green-900",
              (!toast.variant || toast.variant === "default") && "border-border bg-background",
            )}
          >
            <T.Title className="text-sm font-semibold">{toast.title}</T.Title>
            {toast.description && <T.Description className="text-sm">{toast.description}</T.Description>}
          </T.Root>
        ))}
        <T.Viewport className="fixed bottom-0 right-0 z-[100] flex w-full max-w-sm flex-col gap-2 p-4 outline-none" />
      </T.Provider>
    </ToastContext.Provider>
  );
}
