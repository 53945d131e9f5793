/** A first-visit tour of the upload modal: three steps, skippable, never shown again once closed. */
import { Lightbulb, X } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";

export const TOUR_KEY = "reelflow.tour.upload";

const STEPS = [
  { title: "Add your videos", text: "Drop a folder's worth of videos on the box below, or click it to choose files. Each can be up to 2 GB." },
  { title: "Name the batch and pick settings", text: "Every video gets the same settings. Start from a preset, and save your own as a template." },
  { title: "Upload, then start", text: "Upload sends the files (large ones resume after a reload). Start processing now, or later from the batch page." },
];

export function UploadTour() {
  const [step, setStep] = React.useState<number | null>(() => (localStorage.getItem(TOUR_KEY) ? null : 0));
  if (step === null) return null;
  const close = () => {
    localStorage.setItem(TOUR_KEY, "done");
    setStep(null);
  };
  const current = STEPS[step]!;
  const last = step === STEPS.length - 1;
  return (
    <section aria-label="Tour of the upload" className="relative grid gap-2 rounded-lg border border-blue-200 bg-blue-50 p-3 pr-10 text-sm text-blue-950">
      <p className="flex items-center gap-2 font-semibold [&_svg]:size-4">
        <Lightbulb aria-hidden /> {current.title}
        <span className="font-normal text-blue-900">
          (step {step + 1} of {STEPS.length})
        </span>
      </p>
      <p>{current.text}</p>
      <div className="flex gap-2">
        {step > 0 && (
          <Button size="sm" variant="ghost" onClick={() => setStep(step - 1)}>
            Back
          </Button>
        )}
        <Button size="sm" variant="outline" onClick={last ? close : () => setStep(step + 1)}>
          {last ? "Got it" : "Next"}
        </Button>
      </div>
      <Button size="icon" variant="ghost" aria-label="Skip the tour" className="absolute right-1 top-1 size-8" onClick={close}>
        <X aria-hidden />
      </Button>
    </section>
  );
}
