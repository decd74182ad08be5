/** What a run told us about itself through its answers to control actions (kept in this
 * browser): today, which sessions set human input aside because prompt injection is off. */

import { create } from "zustand";
import { persist } from "zustand/middleware";

// Enough to cover every run a person steers in a while; older ones drop off.
const KEEP = 50;

interface RunNotices {
  inputRefused: string[];
  markInputRefused: (sessionId: string) => void;
}

export const useRunNotices = create<RunNotices>()(
  persist(
    (set) => ({
      inputRefused: [],
      markInputRefused: (sessionId) =>
        set((state) =>
          state.inputRefused.includes(sessionId)
            ? state
            : { inputRefused: [...state.inputRefused, sessionId].slice(-KEEP) },
        ),
    }),
    { name: "loki-run-notices", partialize: (state) => ({ inputRefused: state.inputRefused }) },
  ),
);

export const useInputRefused = (sessionId: string | undefined) =>
  useRunNotices((state) => sessionId !== undefined && state.inputRefused.includes(sessionId));
