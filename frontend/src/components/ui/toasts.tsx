import { useToastStore } from "@/lib/toast";

const KIND = {
  info: "bg-slate-800 text-white",
  success: "bg-green-700 text-white",
  error: "bg-red-700 text-white",
};

export function Toasts() {
  const toasts = useToastStore((state) => state.toasts);
  const dismiss = useToastStore((state) => state.dismiss);
  return (
    <div className="fixed right-3 bottom-3 z-50 flex max-w-sm flex-col gap-2" aria-live="assertive">
      {toasts.map((t) => (
        <div
          key={t.id}
          role="alert"
          data-kind={t.kind}
          className={`rounded-md px-3 py-2 text-sm shadow-lg ${KIND[t.kind]}`}
        >
          <div className="flex items-start gap-2">
            <span className="flex-1">{t.text}</span>
            <button
              type="button"
              aria-label="Dismiss"
              onClick={() => dismiss(t.id)}
              className="opacity-70 hover:opacity-100"
            >
              ×
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
