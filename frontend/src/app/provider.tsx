import { QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useEffect } from "react";
import { queryClient } from "@/lib/query-client";
import { socket } from "@/lib/socket";

export function AppProvider({ children }: { children: ReactNode }) {
  useEffect(() => {
    socket.start();
    return () => socket.stop();
  }, []);
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
