import type { TaskItem, TaskRunItem, TaskRunUsage } from '@praktor/protocol';
import { RUNS_SHOWN } from '../api/endpoints';
import { useTaskRuns } from '../api/queries';
import { formatCost, formatCount, formatDuration, formatFullTime, formatTimeIn } from '../format';
import { ErrorNote } from './ErrorNote';
import { RunStatusBadge } from './TaskBadges';

/** The tokens of a run in words: input and output, and the cache's part when there is one. */
function tokens(usage: TaskRunUsage): string {
  const parts = [`${formatCount(usage.input_tokens)} in`, `${formatCount(usage.output_tokens)} out`];
  if (usage.cache_read_tokens > 0) parts.push(`${formatCount(usage.cache_read_tokens)} cache read`);
  if (usage.cache_write_tokens > 0) parts.push(`${formatCount(usage.cache_write_tokens)} cache write`);
  return parts.join(' · ');
}

/** How long a run took, or has taken so far; a dash when it never started or its end is unknown. */
function duration(run: TaskRunItem, now: number): string {
  if (run.started_at === null) return '—';
  if (run.ended_at !== null) return formatDuration(run.ended_at - run.started_at);
  return run.status === 'running' ? `${formatDuration(now - run.started_at)} so far` : '—';
}

/** One run: when, how long, how it went, what it cost, and its answer behind a disclosure. */
function Run({ run, task, now }: { run: TaskRunItem; task: TaskItem; now: number }) {
  const at = run.started_at ?? run.scheduled_for;
  return (
    <li className="run" data-testid="task-run" data-run-id={run.id} data-status={run.status}>
      <div className="run-head">
        <RunStatusBadge status={run.status} />
        <span className="run-when">
          {run.started_at === null && <span className="muted">Due </span>}
          <time dateTime={new Date(at).toISOString()} title={formatFullTime(at)} data-testid="run-started">
            {formatTimeIn(at, task.effective_timezone, now)}
          </time>
        </span>
        <span className="chip run-trigger" data-testid="run-trigger">
          {run.triggered_by === 'manual' ? 'Manual run' : 'Scheduled run'}
        </span>
      </div>
      <dl className="run-facts">
        <div>
          <dt>Duration</dt>
          <dd data-testid="run-duration">{duration(run, now)}</dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd data-testid="run-cost">{run.cost_usd === null ? '—' : formatCost(run.cost_usd)}</dd>
        </div>
        <div className="run-tokens">
          <dt>Tokens</dt>
          <dd data-testid="run-tokens">{run.usage ? tokens(run.usage) : '—'}</dd>
        </div>
      </dl>
      {run.error && (
        <p className="run-error" data-testid="run-error">
          {run.error}
        </p>
      )}
      {run.answer !== null && (
        <details className="run-answer">
          <summary data-testid="run-answer-toggle">Answer</summary>
          <div className="run-answer-text" data-testid="run-answer">
            {run.answer}
          </div>
        </details>
      )}
    </li>
  );
}

/** A task's newest runs, newest first; live events add runs and finish them as they happen. */
export function TaskRuns({ task, now }: { task: TaskItem; now: number }) {
  const runs = useTaskRuns(task.id);
  const list = runs.data ?? [];
  return (
    <section className="card runs-card" aria-labelledby="task-runs-title">
      <div className="card-head">
        <h2 id="task-runs-title" className="card-title">
          Runs
        </h2>
        {list.length >= RUNS_SHOWN && <span className="muted row-detail">The newest {RUNS_SHOWN}</span>}
      </div>
      {runs.isPending && <p className="muted">Loading runs…</p>}
      {runs.isError && <ErrorNote error={runs.error} prefix="Could not load the runs" />}
      {runs.data && list.length === 0 && (
        <p className="muted" data-testid="task-runs-empty">
          No runs yet. Its first is due as the schedule says, or use Run now.
        </p>
      )}
      {list.length > 0 && (
        <ol className="run-list" data-testid="task-runs">
          {list.map((run) => (
            <Run key={run.id} run={run} task={task} now={now} />
          ))}
        </ol>
      )}
    </section>
  );
}
