import type { TaskItem } from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { splitFieldMessage } from '../api/field-message';
import { useAgents, useStatus } from '../api/queries';
import { rememberTask } from '../live/cache';
import {
  CATCH_UP_CHOICES,
  checkTaskForm,
  createTaskBody,
  oneShotExample,
  TASK_FIELD_OF,
  TASK_FIELDS,
  type TaskField,
  type TaskFieldErrors,
  type TaskFormValues,
  taskFormValues,
  updateTaskBody,
} from '../task-input';
import { Dialog } from './Dialog';
import { ErrorNote } from './ErrorNote';
import { describedBy, FieldNotes } from './FieldNotes';

/** Schedules to start from, each with what it means; choosing one puts it in the schedule box. */
function scheduleExamples(): { text: string; means: string }[] {
  return [
    { text: '+2h', means: 'once, two hours from now' },
    { text: 'every 30m', means: 'every 30 minutes' },
    { text: '0 9 * * 1-5', means: 'weekdays at 09:00 (cron)' },
    { text: '@daily', means: 'every day at midnight' },
    { text: oneShotExample(new Date()), means: 'once, at that date and time' },
  ];
}

/** The zones the browser knows, offered while typing one. */
function knownZones(): string[] {
  return typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
}

/**
 * Creates a task (`task` undefined) or edits one, in a dialog. Editing starts the schedule box at the task's
 * `schedule_edit` and sends only what changed, so an untouched schedule keeps its kind and its next run. What
 * the gateway refuses is shown by the field it names.
 */
export function TaskForm({
  task,
  onClose,
  onSaved,
}: {
  task?: TaskItem;
  onClose: () => void;
  /** `saved` is null when nothing was changed, so nothing was sent. */
  onSaved: (saved: TaskItem | null, created: boolean) => void;
}) {
  const editing = task !== undefined;
  const client = useQueryClient();
  const agents = useAgents();
  const defaultZone = useStatus().data?.scheduler.timezone;
  const id = useId();
  const zones = useMemo(knownZones, []);
  const examples = useMemo(scheduleExamples, []);
  const defaultAgent = agents.data?.find((a) => a.default_agent)?.id ?? agents.data?.[0]?.id ?? '';

  // Until the agents are loaded a new task has none; the first list that arrives picks the default agent.
  const [values, setValues] = useState<TaskFormValues>(() => taskFormValues(task, defaultAgent));
  const agentId = values.agentId === '' && !editing ? defaultAgent : values.agentId;
  const [errors, setErrors] = useState<TaskFieldErrors>({});
  const [formError, setFormError] = useState<Error | null>(null);

  const refs = {
    agentId: useRef<HTMLSelectElement>(null),
    name: useRef<HTMLInputElement>(null),
    schedule: useRef<HTMLInputElement>(null),
    prompt: useRef<HTMLTextAreaElement>(null),
    timezone: useRef<HTMLInputElement>(null),
    catchUp: useRef<HTMLInputElement>(null),
    enabled: useRef<HTMLInputElement>(null),
  };

  const set = <K extends TaskField>(field: K, value: TaskFormValues[K]) => {
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((e) => (e[field] ? { ...e, [field]: undefined } : e));
  };
  const showErrors = (found: TaskFieldErrors) => {
    setErrors(found);
    const first = TASK_FIELDS.find((f) => found[f]);
    if (first) refs[first].current?.focus();
  };

  const save = useMutation({
    mutationFn: async (current: TaskFormValues): Promise<TaskItem | null> => {
      if (!editing) return api.createTask(createTaskBody(current));
      const body = updateTaskBody(task, current);
      return Object.keys(body).length === 0 ? null : api.updateTask(task.id, body);
    },
    onSuccess: (saved) => {
      if (saved) rememberTask(client, saved);
      onSaved(saved, !editing);
    },
    onError: (err) => {
      const split =
        err instanceof ApiError && err.status === 400
          ? splitFieldMessage(err.message, Object.keys(TASK_FIELD_OF))
          : null;
      const field = split ? TASK_FIELD_OF[split.field] : undefined;
      if (split && field) showErrors({ [field]: split.message });
      else setFormError(err);
    },
  });
  const busy = save.isPending;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    const current = { ...values, agentId };
    const found = checkTaskForm(current);
    if (Object.keys(found).length > 0) {
      showErrors(found);
      return;
    }
    setErrors({});
    save.mutate(current);
  };

  const fieldId = (field: TaskField) => `${id}-${field}`;
  const invalid = (field: TaskField) => (errors[field] ? true : undefined);
  const strayAgent = editing && agents.data !== undefined && !agents.data.some((a) => a.id === task.agent_id);

  return (
    <Dialog
      title={editing ? `Edit ${task.name}` : 'New task'}
      description={
        editing
          ? 'Changes apply from its next run.'
          : 'A prompt an agent runs on a schedule; the answer goes to the chat.'
      }
      onClose={onClose}
      busy={busy}
      testId="task-dialog"
    >
      <form noValidate onSubmit={submit} data-testid="task-form">
        <div className="dialog-body form-fields">
          <div className="field">
            <label htmlFor={fieldId('agentId')} className="field-label">
              Agent
            </label>
            <select
              ref={refs.agentId}
              id={fieldId('agentId')}
              className="input"
              data-testid="task-agent"
              value={agentId}
              disabled={agents.isPending}
              aria-invalid={invalid('agentId')}
              aria-describedby={describedBy(fieldId('agentId'), strayAgent, errors.agentId)}
              onChange={(e) => set('agentId', e.target.value)}
            >
              {agents.isPending && <option value="">Loading agents…</option>}
              {strayAgent && <option value={task.agent_id}>{task.agent_id} (not in praktor.yaml)</option>}
              {agents.data?.map((agent) => (
                <option key={agent.id} value={agent.id}>
                  {agent.name}
                  {agent.description ? ` — ${agent.description}` : ''}
                </option>
              ))}
            </select>
            <FieldNotes
              id={fieldId('agentId')}
              testId="task-error-agent"
              error={errors.agentId}
              hint={
                strayAgent ? (
                  <span className="hint-warn">
                    This agent is no longer configured, so the task’s runs fail. Choose another.
                  </span>
                ) : undefined
              }
            />
            {agents.isError && <ErrorNote error={agents.error} prefix="Could not load the agents" />}
          </div>

          <div className="field">
            <label htmlFor={fieldId('name')} className="field-label">
              Name
            </label>
            <input
              ref={refs.name}
              id={fieldId('name')}
              className="input"
              data-testid="task-name"
              value={values.name}
              maxLength={200}
              placeholder="Morning brief"
              autoComplete="off"
              aria-invalid={invalid('name')}
              aria-describedby={describedBy(fieldId('name'), false, errors.name)}
              data-autofocus
              onChange={(e) => set('name', e.target.value)}
            />
            <FieldNotes id={fieldId('name')} testId="task-error-name" error={errors.name} />
          </div>

          <div className="field">
            <label htmlFor={fieldId('schedule')} className="field-label">
              Schedule
            </label>
            <input
              ref={refs.schedule}
              id={fieldId('schedule')}
              className="input mono"
              data-testid="task-schedule-input"
              value={values.schedule}
              placeholder="every 30m"
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
              aria-invalid={invalid('schedule')}
              aria-describedby={describedBy(fieldId('schedule'), true, errors.schedule)}
              onChange={(e) => set('schedule', e.target.value)}
            />
            {/* The error comes first here: under the examples it would be far from the box it is about. */}
            <FieldNotes id={fieldId('schedule')} testId="task-error-schedule" error={errors.schedule} />
            <p id={`${fieldId('schedule')}-hint`} className="field-hint muted">
              {editing && (
                <span className="schedule-now">
                  Now: <strong>{task.schedule_display}</strong>.{' '}
                </span>
              )}
              A delay, an interval, a cron expression or a date and time. For example:
            </p>
            <ul className="schedule-examples" aria-label="Schedule examples">
              {examples.map((example) => (
                <li key={example.text}>
                  <button
                    type="button"
                    className="schedule-example mono"
                    data-testid="schedule-example"
                    aria-label={`Use ${example.text}: ${example.means}`}
                    onClick={() => {
                      set('schedule', example.text);
                      refs.schedule.current?.focus();
                    }}
                  >
                    {example.text}
                  </button>
                  <span className="muted">{example.means}</span>
                </li>
              ))}
            </ul>
          </div>

          <div className="field">
            <label htmlFor={fieldId('prompt')} className="field-label">
              Prompt
            </label>
            <textarea
              ref={refs.prompt}
              id={fieldId('prompt')}
              className="input task-prompt-input"
              data-testid="task-prompt"
              value={values.prompt}
              rows={4}
              placeholder="What the agent is asked at each run, e.g. Summarise my unread mail."
              aria-invalid={invalid('prompt')}
              aria-describedby={describedBy(fieldId('prompt'), true, errors.prompt)}
              onChange={(e) => set('prompt', e.target.value)}
            />
            <FieldNotes
              id={fieldId('prompt')}
              testId="task-error-prompt"
              error={errors.prompt}
              hint="Each run is a fresh conversation with the agent; your chat with it is not disturbed."
            />
          </div>

          <div className="field">
            <label htmlFor={fieldId('timezone')} className="field-label">
              Time zone <span className="field-optional">optional</span>
            </label>
            <input
              ref={refs.timezone}
              id={fieldId('timezone')}
              className="input"
              data-testid="task-timezone"
              value={values.timezone}
              list={`${id}-zones`}
              placeholder={editing ? task.effective_timezone : (defaultZone ?? 'Europe/Berlin')}
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
              aria-invalid={invalid('timezone')}
              aria-describedby={describedBy(fieldId('timezone'), true, errors.timezone)}
              onChange={(e) => set('timezone', e.target.value)}
            />
            <datalist id={`${id}-zones`}>
              {zones.map((zone) => (
                <option key={zone} value={zone} />
              ))}
            </datalist>
            <FieldNotes
              id={fieldId('timezone')}
              testId="task-error-timezone"
              error={errors.timezone}
              hint={
                <>
                  The zone its schedule is read in. Empty: Praktor’s own (<code>scheduler.timezone</code>
                  {defaultZone ? <>, now {defaultZone}</> : null}).
                </>
              }
            />
          </div>

          <fieldset
            className="field fieldset"
            aria-invalid={invalid('catchUp')}
            aria-describedby={describedBy(fieldId('catchUp'), true, errors.catchUp)}
          >
            <legend className="field-label">Runs missed while Praktor was not running</legend>
            <div className="check-list">
              {CATCH_UP_CHOICES.map((choice, i) => (
                <label key={choice.value} className="check">
                  <input
                    ref={i === 0 ? refs.catchUp : undefined}
                    type="radio"
                    name={`${id}-catch-up`}
                    value={choice.value}
                    data-testid={`task-catch-up-${choice.value}`}
                    checked={values.catchUp === choice.value}
                    onChange={() => set('catchUp', choice.value)}
                  />
                  <span className="check-text">
                    <span className="check-title">
                      {choice.label}
                      {choice.value === 'once' && <span className="field-optional">default</span>}
                    </span>
                    <span className="muted check-detail">{choice.means}</span>
                  </span>
                </label>
              ))}
            </div>
            <FieldNotes
              id={fieldId('catchUp')}
              testId="task-error-catch-up"
              error={errors.catchUp}
              hint="Runs are never made up twice, even across restarts."
            />
          </fieldset>

          <div className="field">
            <label className="check check-card">
              <input
                ref={refs.enabled}
                type="checkbox"
                data-testid="task-enabled-input"
                checked={values.enabled}
                aria-invalid={invalid('enabled')}
                aria-describedby={describedBy(fieldId('enabled'), false, errors.enabled)}
                onChange={(e) => set('enabled', e.target.checked)}
              />
              <span className="check-text">
                <span className="check-title">Enabled</span>
                <span className="muted check-detail">
                  {editing && task.status === 'completed'
                    ? 'Completed: it has no run left. A new schedule puts it back on.'
                    : 'Runs on its schedule. Off: kept, but paused until you turn it on.'}
                </span>
              </span>
            </label>
            <FieldNotes id={fieldId('enabled')} testId="task-error-enabled" error={errors.enabled} />
          </div>
        </div>
        {formError && (
          <div className="dialog-alerts">
            <ErrorNote error={formError} prefix="Could not save" testId="task-form-error" />
          </div>
        )}
        <footer className="dialog-foot">
          <button
            type="button"
            className="button"
            data-testid="task-cancel"
            disabled={busy}
            onClick={onClose}
          >
            Cancel
          </button>
          <button type="submit" className="button button-primary" data-testid="task-save" disabled={busy}>
            {busy ? 'Saving…' : editing ? 'Save changes' : 'Create task'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
