import { useEffect } from "react";
import { socket } from "@/lib/socket";

/** Keep a real-time channel subscribed while the calling component is on screen. */
export function useChannel(channel: string | null | undefined): void {
  useEffect(() => {
    if (!channel) return;
    return socket.subscribe(channel);
  }, [channel]);
}
