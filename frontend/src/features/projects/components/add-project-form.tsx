import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { CONTROL } from "@/components/ui/form";
import { ApiError } from "@/lib/api-client";
import { toast } from "@/lib/toast";
import { useAddProject } from "../api/projects";

export function AddProjectForm() {
  const [path, setPath] = useState("");
  const add = useAddProject();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = path.trim();
    if (!trimmed.startsWith("/")) return;
    add.mutate(
      { path: trimmed },
      {
        onSuccess: (project) => {
          setPath("");
          toast.success(`Added ${project.name}`);
        },
      },
    );
  };
  const error =
    add.error instanceof ApiError ? add.error.message : add.error ? String(add.error) : null;
  const invalid = path.trim() !== "" && !path.trim().startsWith("/");
  return (
    <form onSubmit={submit} className="flex flex-col gap-1" aria-label="Add a project">
      <div className="flex gap-2">
        <label htmlFor="project-path" className="sr-only">
          Project folder
        </label>
        <input
          id="project-path"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/absolute/path/to/project"
          className={`${CONTROL} min-w-0 flex-1`}
        />
        <Button type="submit" variant="primary" disabled={add.isPending || !path.trim() || invalid}>
          Add project
        </Button>
      </div>
      {invalid && (
        <p className="text-xs text-red-600">Give the folder's absolute path (starting with /).</p>
      )}
      {error && (
        <p role="alert" className="text-xs text-red-600">
          {error}
        </p>
      )}
    </form>
  );
}
