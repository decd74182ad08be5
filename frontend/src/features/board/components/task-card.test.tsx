import { DndContext, KeyboardSensor, useSensor, useSensors } from "@dnd-kit/core";
import { SortableContext } from "@dnd-kit/sortable";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Task } from "@/lib/api-types";
import { SortableTaskCard } from "./task-card";

const task = {
  id: "t1",
  project_id: "p",
  title: "Fix login",
  status: "pending",
  priority: "high",
  type: "engineering",
  labels: [],
  source: "dashboard",
  column_order: 0,
} as unknown as Task;

function Keyboard({ children, onDragStart }: { children: ReactNode; onDragStart: () => void }) {
  const sensors = useSensors(useSensor(KeyboardSensor));
  return (
    <DndContext sensors={sensors} onDragStart={onDragStart}>
      <SortableContext items={["t1"]}>{children}</SortableContext>
    </DndContext>
  );
}

describe("a task card from the keyboard", () => {
  afterEach(cleanup);

  it("opens the editor on e and still picks up on space", () => {
    const onOpen = vi.fn();
    const onDragStart = vi.fn();
    render(
      <Keyboard onDragStart={onDragStart}>
        <SortableTaskCard task={task} onOpen={onOpen} />
      </Keyboard>,
    );
    const card = screen.getByTestId("task-card");
    fireEvent.keyDown(card, { key: "e", code: "KeyE" });
    expect(onOpen).toHaveBeenCalledWith(task);
    expect(onDragStart).not.toHaveBeenCalled();
    fireEvent.keyDown(card, { key: " ", code: "Space" });
    expect(onDragStart).toHaveBeenCalledTimes(1);
    expect(onOpen).toHaveBeenCalledTimes(1);
  });
});
