/** The user's display preferences, kept in this browser. */

import { create } from "zustand";
import { persist } from "zustand/middleware";

interface Preferences {
  /** A running project quiet for this many minutes shows under "needs you". */
  quietMinutes: number;
  setQuietMinutes: (minutes: number) => void;
}

export const usePreferences = create<Preferences>()(
  persist(
    (set) => ({
      quietMinutes: 10,
      setQuietMinutes: (quietMinutes) => set({ quietMinutes }),
    }),
    { name: "loki-preferences" },
  ),
);
