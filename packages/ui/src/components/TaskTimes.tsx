import type { TaskItem } from '@praktor/protocol';
import { browserZone, formatAgo, formatFullTime, formatTimeIn, formatUntil, sameZone } from '../format';
import { RunStatusBadge } from './TaskBadges';

/**
 * The zone a task's times are shown in, when it is not the browser's own: the schedule is read in the task's
 * zone, so its times are too, and the reader is told which zone that is.
 */
export function ZoneNote({ task }: { task: TaskItem }) {
  if (sameZone(task.effective_timezone, browserZone())) return null;
  return (
    <span className="zone-note" data-testid="task-zone-note" title="Times of this task are in this zone">
      {task.effective_timezone}
    </span>
  );
}

/**
 * A time of a task in its zone, with how long ahead (a next run) or ago (a last run) it is, and the full local
 * time on hover. Which of the two is given, not worked out: `now` ticks coarsely, and a run that just started
 * can look a moment ahead of it.
 */
function TaskTime({ at, task, now, ahead }: { at: number; task: TaskItem; now: number; ahead: boolean }) {
  return (
    <time dateTime={new Date(at).toISOString()} title={formatFullTime(at)}>
      {formatTimeIn(at, task.effective_timezone, now)}
      <span className="muted"> · {ahead ? formatUntil(at, now) : formatAgo(at, now)}</span>
    </time>
  );
}

/** When the task runs next, or why it does not. */
export function NextRun({ task, now }: { task: TaskItem; now: number }) {
  if (task.run_requested_at !== null) return <span>Now, as asked</span>;
  if (task.status === 'paused') return <span className="muted">Paused</span>;
  if (task.status === 'completed') return <span className="muted">None: completed</span>;
  if (task.next_run_at === null) return <span className="muted">Not scheduled</span>;
  return <TaskTime at={task.next_run_at} task={task} now={now} ahead />;
}

/** When the task last ran and how that went; the error, when it failed, is shown by the caller. */
export function LastRun({ task, now }: { task: TaskItem; now: number }) {
  if (task.last_run_at === null) return <span className="muted">Never</span>;
  return (
    <span className="last-run">
      <TaskTime at={task.last_run_at} task={task} now={now} ahead={false} />
      {task.last_status && <RunStatusBadge status={task.last_status} testId="task-last-status" />}
    </span>
  );
}
