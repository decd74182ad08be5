import { useEffect, useRef, useState } from "react";
import { useMatch, useNavigate } from "react-router-dom";
import { Dialog } from "@/components/ui/dialog";

export const SHORTCUTS: [string, string][] = [
  ["?", "show this list"],
  ["g o", "overview"],
  ["g b", "board of the open project"],
  ["g a", "agents"],
  ["g l", "logs"],
  ["g s", "system status"],
  ["g h", "session history"],
  ["n", "new task (on the board)"],
  ["/", "search"],
];

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === "INPUT" ||
      el.tagName === "TEXTAREA" ||
      el.tagName === "SELECT" ||
      el.isContentEditable)
  );
}

/** Two-key "g x" moves and single keys; returns the help dialog's state. */
export function useShortcuts() {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const match = useMatch("/projects/:projectId/*");
  const projectId = match?.params.projectId;
  const pendingG = useRef(0);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || typing(e.target)) return;
      const base = projectId ? `/projects/${projectId}` : null;
      if (Date.now() - pendingG.current < 1000) {
        pendingG.current = 0;
        const to: Record<string, string | null> = {
          o: "/",
          b: base,
          a: base && `${base}/agents`,
          l: base && `${base}/logs`,
          s: base && `${base}/system`,
          h: base && `${base}/sessions`,
        };
        const path = to[e.key];
        if (path) navigate(path);
        return;
      }
      if (e.key === "g") pendingG.current = Date.now();
      else if (e.key === "?") setOpen((v) => !v);
      else if (e.key === "/") {
        const search = document.querySelector<HTMLInputElement>('input[type="search"]');
        if (search) {
          e.preventDefault();
          search.focus();
        }
      } else if (e.key === "n") window.dispatchEvent(new CustomEvent("loki:new-task"));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navigate, projectId]);
  // Close, not toggle: Escape fires both `cancel` and `close` on the dialog.
  return { open, toggle: () => setOpen((v) => !v), close: () => setOpen(false) };
}

export function ShortcutHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} title="Keyboard shortcuts" onClose={onClose}>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys} className="contents">
            <dt>
              <kbd className="rounded border px-1 font-terminal">{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
