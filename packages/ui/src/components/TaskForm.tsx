import { zodResolver } from '@hookform/resolvers/zod';
import type { TaskItem } from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { Controller, type FieldErrors, useForm } from 'react-hook-form';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { splitFieldMessage } from '../api/field-message';
import { useAgents, useStatus } from '../api/queries';
import { rememberTask } from '../live/cache';
import {
  CATCH_UP_CHOICES,
  createTaskBody,
  oneShotExample,
  TASK_FIELDS,
  type TaskField,
  TaskFormSchema,
  type TaskFormValues,
  taskFormValues,
  updateTaskBody,
} from '../task-input';
import { Dialog } from './Dialog';
import { ErrorNote } from './ErrorNote';
import { Field } from './Field';
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

  const {
    control,
    formState: { errors },
    getValues,
    handleSubmit,
    register,
    setError,
    setFocus,
    setValue,
    clearErrors,
  } = useForm<TaskFormValues>({
    defaultValues: taskFormValues(task, defaultAgent),
    resolver: zodResolver(TaskFormSchema),
    // The focus goes to the first field with an error in the order they are shown, set by showFirst.
    shouldFocusError: false,
  });
  const [formError, setFormError] = useState<Error | null>(null);

  // Until the agents are loaded a new task has none; the first list that arrives picks the default agent.
  useEffect(() => {
    if (!editing && defaultAgent !== '' && getValues('agent_id') === '') setValue('agent_id', defaultAgent);
  }, [editing, defaultAgent, getValues, setValue]);

  const showFirst = (found: FieldErrors<TaskFormValues>) => {
    const first = TASK_FIELDS.find((field) => found[field]);
    if (first) setFocus(first);
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
        err instanceof ApiError && err.status === 400 ? splitFieldMessage(err.message, TASK_FIELDS) : null;
      if (split) {
        const field = split.field as TaskField;
        setError(field, { type: 'server', message: split.message });
        setFocus(field);
      } else setFormError(err);
    },
  });
  const busy = save.isPending;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    void handleSubmit((current) => save.mutate(current), showFirst)(e);
  };

  const fieldId = (field: keyof TaskFormValues) => `${id}-${field}`;
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
          <Field
            id={fieldId('agent_id')}
            label="Agent"
            error={errors.agent_id?.message}
            errorTestId="task-error-agent"
            hint={
              strayAgent ? (
                <span className="hint-warn">
                  This agent is no longer configured, so the task’s runs fail. Choose another.
                </span>
              ) : undefined
            }
            after={agents.isError && <ErrorNote error={agents.error} prefix="Could not load the agents" />}
          >
            {(attrs) => (
              // Controlled: the options arrive after the form, and the select must show the value once they do.
              <Controller
                control={control}
                name="agent_id"
                render={({ field }) => (
                  <select
                    {...field}
                    {...attrs}
                    className="input"
                    data-testid="task-agent"
                    disabled={agents.isPending}
                  >
                    {agents.isPending && <option value="">Loading agents…</option>}
                    {strayAgent && (
                      <option value={task.agent_id}>{task.agent_id} (not in praktor.yaml)</option>
                    )}
                    {agents.data?.map((agent) => (
                      <option key={agent.id} value={agent.id}>
                        {agent.name}
                        {agent.description ? ` — ${agent.description}` : ''}
                      </option>
                    ))}
                  </select>
                )}
              />
            )}
          </Field>

          <Field id={fieldId('name')} label="Name" error={errors.name?.message} errorTestId="task-error-name">
            {(attrs) => (
              <input
                {...register('name')}
                {...attrs}
                className="input"
                data-testid="task-name"
                maxLength={200}
                placeholder="Morning brief"
                autoComplete="off"
                data-autofocus
              />
            )}
          </Field>

          <Field
            id={fieldId('schedule')}
            label="Schedule"
            error={errors.schedule?.message}
            errorTestId="task-error-schedule"
            // The error comes first here: under the examples it would be far from the box it is about.
            errorFirst
            hint={
              <>
                {editing && (
                  <span className="schedule-now">
                    Now: <strong>{task.schedule_display}</strong>.{' '}
                  </span>
                )}
                A delay, an interval, a cron expression or a date and time. For example:
              </>
            }
            after={
              <ul className="schedule-examples" aria-label="Schedule examples">
                {examples.map((example) => (
                  <li key={example.text}>
                    <button
                      type="button"
                      className="schedule-example mono"
                      data-testid="schedule-example"
                      aria-label={`Use ${example.text}: ${example.means}`}
                      onClick={() => {
                        setValue('schedule', example.text);
                        clearErrors('schedule');
                        setFocus('schedule');
                      }}
                    >
                      {example.text}
                    </button>
                    <span className="muted">{example.means}</span>
                  </li>
                ))}
              </ul>
            }
          >
            {(attrs) => (
              <input
                {...register('schedule')}
                {...attrs}
                className="input mono"
                data-testid="task-schedule-input"
                placeholder="every 30m"
                autoComplete="off"
                autoCapitalize="off"
                spellCheck={false}
              />
            )}
          </Field>

          <Field
            id={fieldId('prompt')}
            label="Prompt"
            error={errors.prompt?.message}
            errorTestId="task-error-prompt"
            hint="Each run is a fresh conversation with the agent; your chat with it is not disturbed."
          >
            {(attrs) => (
              <textarea
                {...register('prompt')}
                {...attrs}
                className="input task-prompt-input"
                data-testid="task-prompt"
                rows={4}
                placeholder="What the agent is asked at each run, e.g. Summarise my unread mail."
              />
            )}
          </Field>

          <Field
            id={fieldId('timezone')}
            label="Time zone"
            optional
            error={errors.timezone?.message}
            errorTestId="task-error-timezone"
            hint={
              <>
                The zone its schedule is read in. Empty: Praktor’s own (<code>scheduler.timezone</code>
                {defaultZone ? <>, now {defaultZone}</> : null}).
              </>
            }
          >
            {(attrs) => (
              <>
                <input
                  {...register('timezone')}
                  {...attrs}
                  className="input"
                  data-testid="task-timezone"
                  list={`${id}-zones`}
                  placeholder={editing ? task.effective_timezone : (defaultZone ?? 'Europe/Berlin')}
                  autoComplete="off"
                  autoCapitalize="off"
                  spellCheck={false}
                />
                <datalist id={`${id}-zones`}>
                  {zones.map((zone) => (
                    <option key={zone} value={zone} />
                  ))}
                </datalist>
              </>
            )}
          </Field>

          <fieldset
            className="field fieldset"
            aria-invalid={errors.catch_up ? true : undefined}
            aria-describedby={describedBy(fieldId('catch_up'), true, errors.catch_up?.message)}
          >
            <legend className="field-label">Runs missed while Praktor was not running</legend>
            <div className="check-list">
              {CATCH_UP_CHOICES.map((choice) => (
                <label key={choice.value} className="check">
                  <input
                    {...register('catch_up')}
                    type="radio"
                    value={choice.value}
                    data-testid={`task-catch-up-${choice.value}`}
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
              id={fieldId('catch_up')}
              testId="task-error-catch-up"
              error={errors.catch_up?.message}
              hint="Runs are never made up twice, even across restarts."
            />
          </fieldset>

          <div className="field">
            <label className="check check-card">
              <input
                {...register('enabled')}
                type="checkbox"
                data-testid="task-enabled-input"
                aria-invalid={errors.enabled ? true : undefined}
                aria-describedby={describedBy(fieldId('enabled'), false, errors.enabled?.message)}
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
            <FieldNotes id={fieldId('enabled')} testId="task-error-enabled" error={errors.enabled?.message} />
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
