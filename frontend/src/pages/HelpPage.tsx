import * as React from "react";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { TROUBLES } from "@/lib/troubleshooting";

const GUIDE: { title: string; steps: string[] }[] = [
  {
    title: "Upload a batch",
    steps: [
      "Press Batch upload and drop your videos (MP4, MOV, AVI or WebM, up to 2 GB each) or choose them.",
      "Name the batch, pick the settings (or a preset), then press Upload. Large files upload in parts and resume after a reload.",
      "When every file is uploaded, press Start processing, now or later from the batch page.",
    ],
  },
  {
    title: "Choose the settings",
    steps: [
      "Transcription writes a transcript and is needed for captions and keyword highlights.",
      "Silence removal cuts pauses: a threshold closer to -20 dBFS cuts more, the margin keeps a little of each pause so words are not clipped.",
      "Export picks the format and the largest size; smaller videos are never upscaled. Save the settings you like as a template.",
    ],
  },
  {
    title: "Watch and control a batch",
    steps: [
      "The dashboard and the batch page show every running video, its stage and the batch's progress live.",
      "Pause finishes the current videos and stops there; Resume goes on; Cancel stops the rest (asks first).",
      "A failed video shows why. Retry it, or Replace the file when it can never decode.",
    ],
  },
  {
    title: "Get the results",
    steps: [
      "Download each edited video from its row; its menu also holds the captions, cut lists, the preview of the removed parts and the poster.",
      "Export a finished batch as one ZIP, a merged video or a playlist.",
      "The bell lists every batch that completed, failed or was cancelled; opt in there to get an e-mail too.",
    ],
  },
];

/** The guide and a troubleshooting entry for each error a creator meets (errors in the app link here). */
export function HelpPage() {
  React.useEffect(() => {
    const show = () => {
      const id = decodeURIComponent(window.location.hash.slice(1));
      const target = id ? document.getElementById(id) : null;
      target?.scrollIntoView?.({ block: "start" });
      target?.focus({ preventScroll: true });
    };
    show();
    window.addEventListener("hashchange", show);
    return () => window.removeEventListener("hashchange", show);
  }, []);

  return (
    <div className="grid gap-6">
      <h1 className="text-2xl font-bold">Help</h1>
      <section aria-labelledby="guide" className="grid gap-3">
        <h2 id="guide" className="text-xl font-semibold">
          Guide
        </h2>
        <div className="grid gap-3 md:grid-cols-2">
          {GUIDE.map((part) => (
            <Card key={part.title}>
              <CardHeader>
                <CardTitle>{part.title}</CardTitle>
              </CardHeader>
              <CardContent>
                <ol className="grid list-decimal gap-1.5 pl-5 text-sm">
                  {part.steps.map((step) => (
                    <li key={step}>{step}</li>
                  ))}
                </ol>
              </CardContent>
            </Card>
          ))}
        </div>
      </section>
      <section aria-labelledby="troubleshooting" className="grid gap-3">
        <h2 id="troubleshooting" tabIndex={-1} className="text-xl font-semibold focus:outline-none">
          Troubleshooting
        </h2>
        {TROUBLES.map((trouble) => (
          <article
            key={trouble.id}
            id={trouble.id}
            tabIndex={-1}
            aria-labelledby={`${trouble.id}-title`}
            className="grid gap-1 rounded-lg border border-border p-4 focus:outline-none focus-visible:ring-2 focus-visible:ring-ring target:border-primary"
          >
            <h3 id={`${trouble.id}-title`} className="font-semibold">
              {trouble.title}
            </h3>
            <p className="text-sm">
              <span className="font-medium">Why: </span>
              {trouble.cause}
            </p>
            <p className="text-sm">
              <span className="font-medium">What to do: </span>
              {trouble.fix}
            </p>
          </article>
        ))}
      </section>
    </div>
  );
}
