import type { TaskItem } from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { rememberTask } from '../live/cache';
import { ErrorNote } from './ErrorNote';
import { Icon } from './Icon';

type Action = 'pause' | 'resume' | 'run';

const FAILED: Record<Action, string> = {
  pause: 'Could not pause',
  resume: 'Could not resume',
  run: 'Could not run',
};

/**
 * The enabled switch (pause and resume), or Completed for a task with no run left, and Run now for one task, and
 * what the gateway said when it refused.
 * The switch shows the state asked for while the request is under way, then the state the gateway reports.
 */
export function TaskControls({ task }: { task: TaskItem }) {
  const client = useQueryClient();
  const control = useMutation({
    mutationFn: (action: Action) =>
      action === 'pause'
        ? api.pauseTask(task.id)
        : action === 'resume'
          ? api.resumeTask(task.id)
          : api.runTask(task.id),
    onSuccess: (saved) => rememberTask(client, saved),
  });
  const toggling = control.isPending && control.variables !== 'run';
  const enabled = toggling ? control.variables === 'resume' : task.enabled;
  const completed = task.status === 'completed';
  const requested = task.run_requested_at !== null;
  const running = task.last_status === 'running';
  const runLabel = requested ? 'Starting…' : running ? 'Running…' : 'Run now';

  return (
    <div className="task-controls">
      <div className="task-control-row">
        {completed ? (
          <span
            className="pill pill-off"
            data-testid="task-completed"
            title="It has no run left. Edit its schedule to run it again."
          >
            Completed<span className="visually-hidden">: {task.name}</span>
          </span>
        ) : (
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              data-testid="task-enabled"
              checked={enabled}
              aria-checked={enabled}
              disabled={control.isPending}
              onChange={(e) => control.mutate(e.target.checked ? 'resume' : 'pause')}
            />
            <span className="switch-track" aria-hidden="true">
              <span className="switch-thumb" />
            </span>
            <span className="switch-label">
              Enabled<span className="visually-hidden">: {task.name}</span>
            </span>
          </label>
        )}
        <button
          type="button"
          className="button button-small"
          data-testid="task-run-now"
          disabled={requested || running || control.isPending}
          onClick={() => control.mutate('run')}
        >
          <Icon name="play" size={14} />
          {runLabel}
          <span className="visually-hidden">: {task.name}</span>
        </button>
      </div>
      {control.isError && (
        <ErrorNote
          error={control.error}
          prefix={`${FAILED[control.variables ?? 'run']} ${task.name}`}
          testId="task-control-error"
        />
      )}
    </div>
  );
}
