import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Task } from "@/lib/api-types";
import { keys } from "@/lib/query-keys";
import { useToastStore } from "@/lib/toast";
import { useMoveTask } from "./tasks";

const task = (id: string, order: number): Task =>
  ({ id, project_id: "p", status: "pending", column_order: order, created_at: "" }) as Task;

function answer(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

describe("an optimistic move", () => {
  let client: QueryClient;
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  );
  const order = () => client.getQueryData<Task[]>(keys.board("p"))?.map((t) => t.id);

  beforeEach(() => {
    client = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
    client.setQueryData(keys.board("p"), [task("a", 0), task("b", 1)]);
    useToastStore.setState({ toasts: [] });
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows at once and stays when the server agrees", async () => {
    let agree: (response: Response) => void = () => {};
    vi.stubGlobal(
      "fetch",
      vi.fn(() => new Promise<Response>((resolve) => (agree = resolve))),
    );
    const { result } = renderHook(() => useMoveTask("p"), { wrapper });
    act(() => result.current.mutate({ id: "b", status: "pending", order: 0 }));
    await waitFor(() => expect(order()).toEqual(["b", "a"])); // before the answer
    agree(answer(200, { ...task("b", 0) }));
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(order()).toEqual(["b", "a"]);
    expect(useToastStore.getState().toasts).toEqual([]);
  });

  it("is put back with the server's reason when refused", async () => {
    const refusal = { error: { code: "conflict", message: "the run moves its own tasks" } };
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => answer(409, refusal)),
    );
    const { result } = renderHook(() => useMoveTask("p"), { wrapper });
    act(() => result.current.mutate({ id: "b", status: "pending", order: 0 }));
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(order()).toEqual(["a", "b"]);
    expect(useToastStore.getState().toasts.map((t) => [t.kind, t.text])).toEqual([
      ["error", "Move refused: the run moves its own tasks"],
    ]);
  });
});
