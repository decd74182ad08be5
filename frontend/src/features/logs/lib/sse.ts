/**
 * A server-sent-events reader over fetch, so the request can carry the bearer token (the
 * browser's EventSource cannot) and reconnect with `Last-Event-ID` from where it stopped.
 */

import { authHeaders } from "@/lib/api-client";

export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/** Split a text buffer into complete SSE messages and the incomplete rest. */
export function parseSse(buffer: string): { messages: SseMessage[]; rest: string } {
  const messages: SseMessage[] = [];
  const blocks = buffer.replace(/\r\n/g, "\n").split("\n\n");
  const rest = blocks.pop() ?? "";
  for (const block of blocks) {
    let id: string | null = null;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue; // keep-alive comment
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length > 0) messages.push({ id, event, data: data.join("\n") });
  }
  return { messages, rest };
}

export interface SseOptions {
  url: string;
  lastEventId: () => string | null;
  onMessage: (message: SseMessage) => void;
  onState?: (state: "open" | "retrying") => void;
}

/** Follow a stream until the returned function is called, reconnecting after failures. */
export function followSse({ url, lastEventId, onMessage, onState }: SseOptions): () => void {
  const controller = new AbortController();
  let attempt = 0;
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const headers: Record<string, string> = { Accept: "text/event-stream", ...authHeaders() };
        const last = lastEventId();
        if (last) headers["Last-Event-ID"] = last;
        const response = await fetch(url, { headers, signal: controller.signal });
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        attempt = 0;
        onState?.("open");
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const parsed = parseSse(buffer + value);
          buffer = parsed.rest;
          for (const message of parsed.messages) onMessage(message);
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      onState?.("retrying");
      attempt += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** attempt)));
    }
  };
  void run();
  return () => controller.abort();
}
