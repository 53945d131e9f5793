import { useQuery } from "@tanstack/react-query";
import { BarChart3, CircleHelp, LayoutDashboard, List, LogOut, Upload } from "lucide-react";
import * as React from "react";
import { getBatchJobs } from "@/api/client";
import { BatchJobsList } from "@/components/batch/BatchJobsList";
import { BatchProgressPanel } from "@/components/batch/BatchProgressPanel";
import { NotificationCenter } from "@/components/notifications/NotificationCenter";
import { Button } from "@/components/ui/button";
import { batchKey } from "@/hooks/useBatchLive";
import { clearSession, loadSession, type Session } from "@/lib/auth";
import { signOutUrl } from "@/lib/cognito";
import { runtimeConfig } from "@/lib/runtimeConfig";
import { lazyNamed } from "@/lib/lazy";
import { Link, useRouter } from "@/lib/router";
import { DropFolderPanel } from "@/components/batch/DropFolderPanel";
import { getBatchJob } from "@/api/client";
import type { BatchJob } from "@/types/batch";

// Each route (and the upload and export dialogs) is its own chunk: the first script stays small.
const BatchExportDialog = lazyNamed(() => import("@/components/batch/BatchExportDialog"), "BatchExportDialog");
const BatchJobDetails = lazyNamed(() => import("@/components/batch/BatchJobDetails"), "BatchJobDetails");
const BatchUploadModal = lazyNamed(() => import("@/components/batch/BatchUploadModal"), "BatchUploadModal");
const SignInPage = lazyNamed(() => import("@/pages/SignInPage"), "SignInPage");
const UsagePage = lazyNamed(() => import("@/pages/UsagePage"), "UsagePage");
const HelpPage = lazyNamed(() => import("@/pages/HelpPage"), "HelpPage");

const PLAN_LIMIT = { free: 3, creator: 20, pro: 50 } as const;

export function App() {
  const [session, setSession] = React.useState<Session | null>(() => loadSession());
  const { path, navigate } = useRouter();
  const [uploadOpen, setUploadOpen] = React.useState(false);
  const uploadUsed = React.useRef(false); // once opened, the modal stays mounted: its uploads outlive it
  uploadUsed.current ||= uploadOpen;
  const [exporting, setExporting] = React.useState<BatchJob | null>(null);

  if (!session)
    return (
      <React.Suspense fallback={<PageLoading />}>
        <SignInPage onSignedIn={setSession} />
      </React.Suspense>
    );

  const batchMatch = /^\/batches\/([^/]+)$/.exec(path);
  const nav = [
    { to: "/", label: "Dashboard", icon: <LayoutDashboard aria-hidden /> },
    { to: "/batches", label: "Batch jobs", icon: <List aria-hidden /> },
    { to: "/usage", label: "Usage", icon: <BarChart3 aria-hidden /> },
    { to: "/help", label: "Help", icon: <CircleHelp aria-hidden /> },
  ];

  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-background focus:p-2">
        Skip to content
      </a>
      <header className="border-b border-border">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 p-3">
          <Link to="/" className="rounded-sm text-lg font-bold focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
            reelflow
          </Link>
          <nav aria-label="Main" className="order-3 flex w-full gap-1 overflow-x-auto sm:order-none sm:w-auto">
            {nav.map((item) => (
              <Link
                key={item.to}
                to={item.to}
                className="flex items-center gap-1 whitespace-nowrap rounded-md px-2 py-2 text-sm font-medium hover:bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring aria-[current=page]:bg-muted sm:px-3 [&_svg]:hidden [&_svg]:size-4 sm:[&_svg]:block"
              >
                {item.icon}
                {item.label}
              </Link>
            ))}
          </nav>
          <div className="flex items-center gap-2">
            <span className="hidden text-sm text-muted-foreground sm:inline">
              {session.user_id} · <span className="capitalize">{session.tier}</span>
            </span>
            <Button size="sm" onClick={() => setUploadOpen(true)}>
              <Upload aria-hidden /> Batch upload
            </Button>
            <NotificationCenter userId={session.user_id} />
            <Button
              size="icon"
              variant="ghost"
              aria-label="Sign out"
              onClick={() => {
                clearSession();
                const config = runtimeConfig();
                if (config.auth === "cognito") globalThis.location.assign(signOutUrl(config.cognito));
                else setSession(null);
              }}
            >
              <LogOut aria-hidden />
            </Button>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto grid max-w-6xl gap-6 p-3 sm:p-6">
        <React.Suspense fallback={<PageLoading />}>
        {batchMatch ? (
          <BatchJobDetails batchJobId={decodeURIComponent(batchMatch[1]!)} onDeleted={() => navigate("/batches")} />
        ) : path === "/batches" ? (
          <>
            <h1 className="text-2xl font-bold">Batch jobs</h1>
            <BatchJobsList
              onJobClick={(b) => navigate(`/batches/${b.id}`)}
              onCreate={() => setUploadOpen(true)}
              onExport={setExporting}
            />
          </>
        ) : path === "/usage" ? (
          <UsagePage />
        ) : path === "/help" ? (
          <HelpPage />
        ) : (
          <Dashboard onUpload={() => setUploadOpen(true)} onExport={setExporting} />
        )}
        </React.Suspense>
      </main>
      <React.Suspense>
        {uploadUsed.current && (
          <BatchUploadModal
            isOpen={uploadOpen}
            onClose={() => setUploadOpen(false)}
            maxFiles={PLAN_LIMIT[session.tier]}
            onComplete={(id) => navigate(`/batches/${id}`)}
          />
        )}
        {exporting && <ExportFromList batch={exporting} onClose={() => setExporting(null)} />}
      </React.Suspense>
    </div>
  );
}

function ExportFromList({ batch, onClose }: { batch: BatchJob; onClose: () => void }) {
  const detail = useQuery({ queryKey: batchKey(batch.id), queryFn: () => getBatchJob(batch.id) });
  return detail.data ? <BatchExportDialog batch={detail.data} isOpen onClose={onClose} /> : null;
}

function PageLoading() {
  return (
    <p role="status" className="text-sm text-muted-foreground">
      Loading…
    </p>
  );
}

function Dashboard({ onUpload, onExport }: { onUpload: () => void; onExport: (b: BatchJob) => void }) {
  const { navigate } = useRouter();
  const active = useQuery({
    queryKey: ["batch-jobs", "active"],
    queryFn: async () => {
      const [processing, paused, queued] = await Promise.all(
        (["processing", "paused", "queued"] as const).map((status) => getBatchJobs({ status, limit: 5 })),
      );
      return [...processing!.batch_jobs, ...queued!.batch_jobs, ...paused!.batch_jobs];
    },
    refetchInterval: 10000,
  });
  return (
    <>
      <section>
        <h1 className="text-2xl font-bold">Dashboard</h1>
        <p className="text-muted-foreground">
          Upload a folder of videos with <b>Batch upload</b> and let every one be edited the same way.
        </p>
      </section>
      <DropFolderPanel />
      <section aria-labelledby="active-heading" className="grid gap-3">
        <h2 id="active-heading" className="text-lg font-semibold">
          Active batches
        </h2>
        {active.data?.length === 0 && <p className="text-sm text-muted-foreground">Nothing is processing right now.</p>}
        <div className="grid gap-3 lg:grid-cols-2">
          {active.data?.map((batch) => (
            <BatchProgressPanel key={batch.id} batchJobId={batch.id} compact onOpen={(id) => navigate(`/batches/${id}`)} />
          ))}
        </div>
      </section>
      <section aria-labelledby="jobs-heading" className="grid gap-3">
        <h2 id="jobs-heading" className="text-lg font-semibold">
          Batch jobs
        </h2>
        <BatchJobsList onJobClick={(b) => navigate(`/batches/${b.id}`)} onCreate={onUpload} onExport={onExport} pageSize={10} />
      </section>
    </>
  );
}
