import type { TaskItem } from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { keys } from '../api/queries';
import { ConfirmDialog } from './ConfirmDialog';

/** Asks before deleting a task and its run history, then takes it off the list. */
export function DeleteTaskDialog({
  task,
  onCancel,
  onDeleted,
}: {
  task: TaskItem;
  onCancel: () => void;
  onDeleted: (task: TaskItem) => void;
}) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.deleteTask(task.id),
    onSuccess: () => {
      // The live event says the same; nothing about a deleted task can follow it, so there is no order to keep.
      client.setQueryData<TaskItem[]>(keys.tasks, (list) => list?.filter((t) => t.id !== task.id));
      onDeleted(task);
    },
  });
  return (
    <ConfirmDialog
      title={`Delete ${task.name}?`}
      confirmLabel="Delete task"
      pendingLabel="Deleting…"
      pending={remove.isPending}
      error={remove.error}
      onCancel={onCancel}
      onConfirm={() => remove.mutate()}
    >
      <p>
        The task and the history of its runs are deleted for good.
        {task.last_status === 'running' && ' The run under way still ends, but is not recorded.'}
      </p>
    </ConfirmDialog>
  );
}
