import type { TaskChat } from '@praktor/protocol';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../api/client';
import { useAgents, useTask } from '../api/queries';
import { DeleteTaskDialog } from '../components/DeleteTaskDialog';
import { ErrorNote } from '../components/ErrorNote';
import { Icon } from '../components/Icon';
import { PageHeader } from '../components/PageHeader';
import { TaskAgent, TaskStateBadge } from '../components/TaskBadges';
import { TaskControls } from '../components/TaskControls';
import { TaskForm } from '../components/TaskForm';
import { TaskRuns } from '../components/TaskRuns';
import { LastRun, NextRun } from '../components/TaskTimes';
import { CATCH_UP_CHOICES } from '../task-input';
import { useNow } from '../useNow';
import { usePageTitle } from '../usePageTitle';

/** Where a task's answers go, in words. */
function chatLabel(chat: TaskChat): string {
  return chat.channel === 'web' ? 'Mission Control (web chat)' : `Telegram chat ${chat.chat_id}`;
}

/** Who made a task: Mission Control, or an agent through its tools. */
function creatorLabel(createdBy: string): string {
  if (createdBy === 'api') return 'Mission Control or the API';
  return createdBy.startsWith('agent:') ? `Agent ${createdBy.slice('agent:'.length)}` : createdBy;
}

/** One task in full, with its controls and the history of its runs. */
export function TaskDetailPage() {
  const id = useParams().id ?? '';
  const task = useTask(id);
  const agents = useAgents();
  // Each second, so that a run under way shows how long it has taken.
  const now = useNow(1_000);
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  usePageTitle(`${task.data?.name ?? 'Task'} · Tasks`);

  const missing = task.error instanceof ApiError && task.error.status === 404;
  if (missing || (task.isError && !task.data)) {
    return (
      <>
        <PageHeader title={missing ? 'No such task' : 'Task'} />
        {missing ? (
          <p data-testid="task-missing">
            This task does not exist (any more). <Link to="/tasks">See all tasks</Link>.
          </p>
        ) : (
          task.error && <ErrorNote error={task.error} prefix="Could not load the task" />
        )}
      </>
    );
  }
  if (!task.data) return <p className="muted">Loading…</p>;
  const t = task.data;
  const catchUp = CATCH_UP_CHOICES.find((c) => c.value === t.catch_up);

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/tasks">Tasks</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">{t.name}</span>
      </nav>
      <PageHeader
        title={
          <span className="title-with-badges">
            {t.name}
            <TaskStateBadge task={t} />
          </span>
        }
        subtitle={t.schedule_display}
        actions={
          <>
            <button
              type="button"
              className="button"
              data-testid="task-edit"
              onClick={() => {
                setStatus(null);
                setEditing(true);
              }}
            >
              <Icon name="edit" size={16} />
              Edit
            </button>
            <button
              type="button"
              className="button button-danger-quiet"
              data-testid="task-delete"
              onClick={() => setDeleting(true)}
            >
              <Icon name="trash" size={16} />
              Delete
            </button>
          </>
        }
      />
      <p className="page-status" role="status" data-testid="task-status">
        {status}
      </p>
      <div className="detail-grid" data-testid="task-detail" data-task-id={t.id}>
        <section className="card" aria-labelledby="task-facts">
          <h2 id="task-facts" className="card-title">
            Details
          </h2>
          <dl className="facts facts-stacked">
            <div>
              <dt>Agent</dt>
              <dd>
                <TaskAgent task={t} agents={agents.data} />
              </dd>
            </div>
            <div>
              <dt>Schedule</dt>
              <dd>
                <span data-testid="task-schedule">{t.schedule_display}</span>
                <br />
                <code className="muted" data-testid="task-schedule-edit">
                  {t.schedule_edit}
                </code>
              </dd>
            </div>
            <div>
              <dt>Time zone</dt>
              <dd data-testid="task-zone">
                {t.effective_timezone}
                {t.timezone === null && <span className="muted"> (Praktor’s)</span>}
              </dd>
            </div>
            <div>
              <dt>Next run</dt>
              <dd data-testid="task-next-run">
                <NextRun task={t} now={now} />
              </dd>
            </div>
            <div>
              <dt>Last run</dt>
              <dd data-testid="task-last-run">
                <LastRun task={t} now={now} />
              </dd>
            </div>
            <div>
              <dt>Missed runs</dt>
              <dd>
                {catchUp?.label}
                <span className="muted"> — {catchUp?.means}</span>
              </dd>
            </div>
            <div>
              <dt>Answers go to</dt>
              <dd>{chatLabel(t.chat)}</dd>
            </div>
            <div>
              <dt>Created by</dt>
              <dd>{creatorLabel(t.created_by)}</dd>
            </div>
          </dl>
          <h3 className="field-label">Prompt</h3>
          <p className="task-prompt-full" data-testid="task-prompt-full">
            {t.prompt}
          </p>
          {t.last_status === 'error' && t.last_error && (
            <p className="task-error" data-testid="task-last-error">
              <Icon name="alert" size={15} />
              <span>{t.last_error}</span>
            </p>
          )}
          <TaskControls task={t} />
        </section>
        <TaskRuns task={t} now={now} />
      </div>

      {editing && (
        <TaskForm
          task={t}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            if (saved) setStatus(`Saved “${saved.name}”.`);
          }}
        />
      )}
      {deleting && (
        <DeleteTaskDialog task={t} onCancel={() => setDeleting(false)} onDeleted={() => navigate('/tasks')} />
      )}
    </>
  );
}
