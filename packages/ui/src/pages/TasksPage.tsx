import type { AgentSummary, TaskItem } from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/endpoints';
import { keys, useAgents, useTasks } from '../api/queries';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DeleteTaskDialog } from '../components/DeleteTaskDialog';
import { ErrorNote } from '../components/ErrorNote';
import { Icon } from '../components/Icon';
import { PageHeader } from '../components/PageHeader';
import { TaskAgent, TaskStateBadge } from '../components/TaskBadges';
import { TaskControls } from '../components/TaskControls';
import { TaskForm } from '../components/TaskForm';
import { LastRun, NextRun, ZoneNote } from '../components/TaskTimes';
import { excerpt } from '../format';
import { useNow } from '../useNow';
import { usePageTitle } from '../usePageTitle';

/** The address of a task's own page, with its run history. */
const taskUrl = (id: string) => `/tasks/${encodeURIComponent(id)}`;

/** One task in the list: what, when, how it last went, and its controls. */
function TaskRow({
  task,
  agents,
  now,
  onEdit,
  onDelete,
}: {
  task: TaskItem;
  agents: AgentSummary[] | undefined;
  now: number;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <li className="task-row" data-testid="task-row" data-task-id={task.id} data-task-name={task.name}>
      <div className="task-main">
        <div className="task-head">
          <h3 className="task-name">
            <Link to={taskUrl(task.id)} data-testid="task-link">
              {task.name}
            </Link>
          </h3>
          <TaskAgent task={task} agents={agents} />
          <TaskStateBadge task={task} />
        </div>
        <p className="task-schedule">
          <Icon name="clock" size={15} />
          <span data-testid="task-schedule">{task.schedule_display}</span>
          <ZoneNote task={task} />
        </p>
        <dl className="task-times">
          <div>
            <dt>Next run</dt>
            <dd data-testid="task-next-run">
              <NextRun task={task} now={now} />
            </dd>
          </div>
          <div>
            <dt>Last run</dt>
            <dd data-testid="task-last-run">
              <LastRun task={task} now={now} />
            </dd>
          </div>
        </dl>
        {task.last_status === 'error' && task.last_error && (
          <p className="task-error" data-testid="task-last-error">
            <Icon name="alert" size={15} />
            <span>{task.last_error}</span>
          </p>
        )}
        <p className="task-prompt muted" data-testid="task-prompt-excerpt">
          {excerpt(task.prompt, 160)}
        </p>
      </div>
      <div className="task-actions">
        <TaskControls task={task} />
        <div className="task-control-row">
          <Link to={taskUrl(task.id)} className="button button-small" data-testid="task-history">
            <Icon name="history" size={16} />
            History<span className="visually-hidden">: {task.name}</span>
          </Link>
          <button
            type="button"
            className="button button-small"
            data-testid="task-edit"
            aria-label={`Edit ${task.name}`}
            onClick={onEdit}
          >
            <Icon name="edit" size={16} />
            Edit
          </button>
          <button
            type="button"
            className="button button-small button-danger-quiet"
            data-testid="task-delete"
            aria-label={`Delete ${task.name}`}
            onClick={onDelete}
          >
            <Icon name="trash" size={16} />
            Delete
          </button>
        </div>
      </div>
    </li>
  );
}

/** What a schedule can be, for the empty page. */
function Examples() {
  return (
    <ul className="help-list">
      <li>
        <code>+2h</code> — once, two hours from now (also <code>+30s</code>, <code>+5m</code>,{' '}
        <code>+1d</code>)
      </li>
      <li>
        <code>every 30m</code> — every 30 minutes
      </li>
      <li>
        <code>0 9 * * 1-5</code> — weekdays at 09:00; cron with 5, 6 or 7 fields, or <code>@daily</code>,{' '}
        <code>@weekly</code>, …
      </li>
      <li>
        <code>2026-12-01T09:00</code> — once, at that time
      </li>
    </ul>
  );
}

type Editing = { mode: 'create' } | { mode: 'edit'; task: TaskItem };

/** Scheduled tasks: every task with its next and last run, and the forms to add, change and delete them. */
export function TasksPage() {
  usePageTitle('Tasks');
  const client = useQueryClient();
  const tasks = useTasks();
  const agents = useAgents();
  const now = useNow(15_000);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<TaskItem | null>(null);
  const [clearing, setClearing] = useState(false);
  const [status, setStatus] = useState<string | null>(null);

  const list = tasks.data ?? [];
  const completed = list.filter((t) => t.status === 'completed');

  const clearCompleted = useMutation({
    mutationFn: api.deleteCompletedTasks,
    onSuccess: (reply) => {
      setClearing(false);
      setStatus(reply.count === 1 ? 'Deleted 1 completed task.' : `Deleted ${reply.count} completed tasks.`);
      // The reply says how many, not which: the list is asked for again (live events also remove each one).
      void client.invalidateQueries({ queryKey: keys.tasks });
    },
  });

  const newButton = (label: string) => (
    <button
      type="button"
      className="button button-primary"
      data-testid="tasks-new"
      onClick={() => {
        setStatus(null);
        setEditing({ mode: 'create' });
      }}
    >
      <Icon name="plus" size={16} />
      {label}
    </button>
  );

  const actions =
    list.length > 0 ? (
      <>
        {completed.length > 0 && (
          <button
            type="button"
            className="button button-danger-quiet"
            data-testid="tasks-delete-completed"
            onClick={() => {
              setStatus(null);
              clearCompleted.reset();
              setClearing(true);
            }}
          >
            <Icon name="trash" size={16} />
            Delete completed
          </button>
        )}
        {newButton('New task')}
      </>
    ) : undefined;

  return (
    <>
      <PageHeader
        title="Tasks"
        subtitle="What your agents do on a schedule: reminders, briefs, reports."
        actions={actions}
      />
      <p className="page-status" role="status" data-testid="tasks-status">
        {status}
      </p>

      {tasks.isPending && <p className="muted">Loading tasks…</p>}
      {tasks.isError && <ErrorNote error={tasks.error} prefix="Could not load the tasks" />}

      {tasks.data && list.length === 0 && (
        <section className="card empty-card" data-testid="tasks-empty" aria-labelledby="tasks-empty-title">
          <span className="empty-icon" aria-hidden="true">
            <Icon name="clock" size={28} />
          </span>
          <h2 id="tasks-empty-title" className="card-title">
            No tasks yet
          </h2>
          <p className="muted empty-lead">
            A task asks an agent something at set times and sends the answer to your chat. Agents can create
            them too: tell one “remind me tomorrow at 9”.
          </p>
          {newButton('Add a task')}
          <div className="help-block">
            <p>A schedule can be:</p>
            <Examples />
          </div>
        </section>
      )}

      {list.length > 0 && (
        <section className="card" aria-labelledby="tasks-list-title">
          <div className="card-head">
            <h2 id="tasks-list-title" className="card-title">
              {list.length === 1 ? '1 task' : `${list.length} tasks`}
            </h2>
          </div>
          <ul className="task-list" data-testid="tasks-list">
            {list.map((task) => (
              <TaskRow
                key={task.id}
                task={task}
                agents={agents.data}
                now={now}
                onEdit={() => {
                  setStatus(null);
                  setEditing({ mode: 'edit', task });
                }}
                onDelete={() => {
                  setStatus(null);
                  setDeleting(task);
                }}
              />
            ))}
          </ul>
        </section>
      )}

      {editing && (
        <TaskForm
          key={editing.mode === 'edit' ? editing.task.id : ''}
          {...(editing.mode === 'edit' ? { task: editing.task } : {})}
          onClose={() => setEditing(null)}
          onSaved={(saved, created) => {
            setEditing(null);
            if (saved) setStatus(created ? `Created “${saved.name}”.` : `Saved “${saved.name}”.`);
          }}
        />
      )}

      {deleting && (
        <DeleteTaskDialog
          task={deleting}
          onCancel={() => setDeleting(null)}
          onDeleted={(task) => {
            setDeleting(null);
            setStatus(`Deleted “${task.name}”.`);
          }}
        />
      )}

      {clearing && (
        <ConfirmDialog
          title={
            completed.length === 1
              ? 'Delete 1 completed task?'
              : `Delete ${completed.length} completed tasks?`
          }
          confirmLabel="Delete completed"
          pendingLabel="Deleting…"
          pending={clearCompleted.isPending}
          error={clearCompleted.error}
          onCancel={() => setClearing(false)}
          onConfirm={() => clearCompleted.mutate()}
        >
          <p>
            Tasks that have no run left ({completed.map((t) => t.name).join(', ')}) and their run histories
            are deleted for good.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
