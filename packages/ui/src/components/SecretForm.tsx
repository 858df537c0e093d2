import { zodResolver } from '@hookform/resolvers/zod';
import {
  type CreateSecretRequest,
  formatBytes,
  messageOf,
  type SecretItem,
  type UpdateSecretRequest,
} from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useMemo, useRef, useState } from 'react';
import { type FieldErrors, useForm } from 'react-hook-form';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { splitFieldMessage } from '../api/field-message';
import { keys, useAgents, useStatus, useVaultProblem } from '../api/queries';
import { bytesToBase64 } from '../base64';
import {
  MAX_SECRET_BYTES,
  SECRET_REQUEST_FIELDS,
  type SecretField,
  type SecretFormValues,
  type SecretRequestField,
  secretFieldOf,
  secretFormSchema,
  secretFormValues,
  secretRequestBody,
} from '../secret-input';
import { Dialog } from './Dialog';
import { ErrorNote } from './ErrorNote';
import { Field } from './Field';
import { describedBy, FieldNotes } from './FieldNotes';
import { Icon } from './Icon';
import { VAULT_LOCKED, VaultProblem } from './VaultProblem';

/** The fields in the order they are shown: the first with an error takes the focus. */
const ORDER: SecretField[] = ['name', 'kind', 'description', 'value', 'file', 'global', 'agent_ids'];

const LIMIT = formatBytes(MAX_SECRET_BYTES);

/**
 * Creates a secret (`secret` undefined) or edits one, in a dialog. The value is write-only: the form starts
 * empty and, when editing, an empty value keeps the stored one. Files are read as bytes and sent as base64.
 */
export function SecretForm({
  secret,
  existingNames,
  onClose,
  onSaved,
}: {
  secret?: SecretItem;
  /** Names already taken, so that creating never replaces a secret by accident. */
  existingNames: readonly string[];
  onClose: () => void;
  onSaved: (saved: SecretItem, created: boolean) => void;
}) {
  const editing = secret !== undefined;
  const client = useQueryClient();
  const agents = useAgents();
  const [, setVaultProblem] = useVaultProblem();
  const locked = useStatus().data?.vault.locked === true;
  const id = useId();

  const configured = useMemo(() => agents.data?.map((a) => a.id), [agents.data]);
  const context = useMemo(() => ({ secret, existingNames, configured }), [secret, existingNames, configured]);
  const resolver = useMemo(() => zodResolver(secretFormSchema(context)), [context]);
  const {
    formState: { errors },
    handleSubmit,
    register,
    setError,
    setFocus,
    setValue,
    clearErrors,
    watch,
  } = useForm<SecretFormValues>({
    defaultValues: secretFormValues(secret),
    resolver,
    // The focus goes to the first field with an error in the order they are shown, set by showFirst.
    shouldFocusError: false,
  });
  const [shown, setShown] = useState(false);
  const [reading, setReading] = useState(false);
  const [formError, setFormError] = useState<Error | null>(null);
  const fileRef = useRef<HTMLInputElement | null>(null);

  const [name, kind, file, global, agentIds] = watch(['name', 'kind', 'file', 'global', 'agent_ids']);
  const kindChanged = editing && kind !== secret.kind;
  const strayAgents = configured ? agentIds.filter((a) => !configured.includes(a)) : [];
  const valueError = (kind === 'file' ? errors.file : errors.value)?.message;
  const accessError = (errors.global ?? errors.agent_ids)?.message;

  const focus = (field: SecretField) => {
    if (field === 'file') fileRef.current?.focus();
    else setFocus(field === 'agent_ids' ? 'global' : field);
  };
  const showFirst = (found: FieldErrors<SecretFormValues>) => {
    const first = ORDER.find((field) => found[field]);
    if (first) focus(first);
  };
  const showError = (field: SecretField, message: string) => {
    setError(field, { type: 'check', message });
    focus(field);
  };

  const save = useMutation({
    mutationFn: (body: CreateSecretRequest | UpdateSecretRequest) =>
      editing
        ? api.updateSecret(secret.name, body as UpdateSecretRequest)
        : api.createSecret(body as CreateSecretRequest),
    onSuccess: (saved, body) => {
      if (body.value !== undefined) setVaultProblem(null);
      onSaved(saved, !editing);
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 503) setVaultProblem(err.message);
      const split =
        err instanceof ApiError && err.status === 400
          ? splitFieldMessage(err.message, SECRET_REQUEST_FIELDS)
          : null;
      if (split) showError(secretFieldOf(split.field as SecretRequestField, kind), split.message);
      else setFormError(err);
    },
    // Whatever happened, the list shows the vault as it is now.
    onSettled: () => client.invalidateQueries({ queryKey: keys.secrets }),
  });
  const busy = save.isPending;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy || reading) return;
    setFormError(null);
    void handleSubmit((values) => save.mutate(secretRequestBody(values, context)), showFirst)(e);
  };

  const chooseFile = async (chosen: File | undefined) => {
    clearErrors('file');
    setValue('file', null);
    if (!chosen) return;
    if (chosen.size > MAX_SECRET_BYTES) {
      if (fileRef.current) fileRef.current.value = '';
      showError('file', `${chosen.name} is ${formatBytes(chosen.size)}; a secret holds at most ${LIMIT}.`);
      return;
    }
    setReading(true);
    try {
      const bytes = new Uint8Array(await chosen.arrayBuffer());
      setValue('file', { name: chosen.name, size: bytes.length, base64: bytesToBase64(bytes) });
    } catch (err) {
      showError('file', `Could not read ${chosen.name}: ${messageOf(err)}`);
    } finally {
      setReading(false);
    }
  };

  const removeFile = () => {
    setValue('file', null);
    if (fileRef.current) {
      fileRef.current.value = '';
      fileRef.current.focus();
    }
  };

  const nameId = `${id}-name`;
  const descriptionId = `${id}-description`;
  const valueId = `${id}-value`;
  const fileId = `${id}-file`;
  const accessId = `${id}-access`;
  const kindId = `${id}-kind`;

  const reference = name === '' ? 'secret:<name>' : `secret:${name}`;
  const valueHint = editing ? (
    kindChanged ? (
      'Changing the kind replaces the value.'
    ) : kind === 'file' ? (
      <>
        {secret.filename ? (
          <>
            Now holds <span className="mono">{secret.filename}</span>.{' '}
          </>
        ) : null}
        Leave it to keep the current file, or choose one to replace it. At most {LIMIT}.
      </>
    ) : (
      'Leave empty to keep the current value. The stored value is never shown.'
    )
  ) : kind === 'file' ? (
    `Any file up to ${LIMIT}, kept byte for byte: a key, a certificate, a service-account JSON.`
  ) : (
    'Stored encrypted. It cannot be shown again after saving, here or anywhere.'
  );

  return (
    <Dialog
      title={editing ? `Edit ${secret.name}` : 'New secret'}
      description={
        editing
          ? 'Running agents get changes the next time they start.'
          : 'A password, token or key file for your agents, kept out of praktor.yaml, prompts and chats.'
      }
      onClose={onClose}
      busy={busy}
      testId="secret-dialog"
    >
      <form className="secret-form" noValidate onSubmit={submit} data-testid="secret-form">
        <div className="dialog-body form-fields">
          <Field
            id={nameId}
            label="Name"
            error={errors.name?.message}
            errorTestId="secret-error-name"
            hint={
              editing ? (
                <>
                  Fixed: praktor.yaml refers to it as <code>{reference}</code>.
                </>
              ) : (
                <>
                  Letters, digits, <code>_</code> <code>.</code> <code>-</code>. praktor.yaml refers to it as{' '}
                  <code data-testid="secret-reference">{reference}</code>.
                </>
              )
            }
          >
            {(attrs) => (
              <input
                {...register('name')}
                {...attrs}
                className="input mono"
                data-testid="secret-name"
                readOnly={editing}
                aria-readonly={editing || undefined}
                autoComplete="off"
                autoCapitalize="off"
                spellCheck={false}
                placeholder="github_token"
                maxLength={128}
                data-autofocus={editing ? undefined : true}
              />
            )}
          </Field>

          <fieldset
            className="field fieldset"
            aria-describedby={describedBy(kindId, false, errors.kind?.message)}
            aria-invalid={errors.kind ? true : undefined}
          >
            <legend className="field-label">Kind</legend>
            <div className="segmented">
              {(
                [
                  ['string', 'Text', 'text'],
                  ['file', 'File', 'file'],
                ] as const
              ).map(([value, label, icon]) => (
                <label key={value} className="segment">
                  <input
                    {...register('kind', { onChange: () => clearErrors(['value', 'file']) })}
                    type="radio"
                    value={value}
                    disabled={busy}
                    data-testid={`secret-kind-${value}`}
                  />
                  <Icon name={icon} />
                  {label}
                </label>
              ))}
            </div>
            <FieldNotes id={kindId} testId="secret-error-kind" error={errors.kind?.message} />
          </fieldset>

          <Field
            id={descriptionId}
            label="Description"
            optional
            error={errors.description?.message}
            errorTestId="secret-error-description"
          >
            {(attrs) => (
              <input
                {...register('description')}
                {...attrs}
                className="input"
                data-testid="secret-description"
                maxLength={2000}
                placeholder="What it is for, where it came from"
                data-autofocus={editing ? true : undefined}
              />
            )}
          </Field>

          {kind === 'string' ? (
            <Field
              id={valueId}
              label="Value"
              aside={
                <button
                  type="button"
                  className="link-button"
                  aria-pressed={shown}
                  aria-controls={valueId}
                  data-testid="secret-value-toggle"
                  onClick={() => setShown((s) => !s)}
                >
                  <Icon name={shown ? 'eyeOff' : 'eye'} size={16} />
                  {shown ? 'Hide' : 'Show'}
                </button>
              }
              hint={valueHint}
              error={valueError}
              errorTestId="secret-error-value"
            >
              {(attrs) => (
                <textarea
                  {...register('value')}
                  {...attrs}
                  className={`input secret-value${shown ? '' : ' secret-value-masked'}`}
                  data-testid="secret-value"
                  data-masked={!shown}
                  rows={3}
                  autoComplete="off"
                  autoCapitalize="off"
                  autoCorrect="off"
                  spellCheck={false}
                  placeholder={editing && !kindChanged ? 'Unchanged' : 'Paste the value'}
                />
              )}
            </Field>
          ) : (
            <div className="field">
              <span className="field-label" id={`${fileId}-label`}>
                File
              </span>
              <div className="file-picker">
                <input
                  ref={fileRef}
                  id={fileId}
                  type="file"
                  className="file-input"
                  data-testid="secret-file-input"
                  disabled={busy}
                  aria-labelledby={`${fileId}-label ${fileId}-button`}
                  aria-invalid={valueError ? true : undefined}
                  aria-describedby={describedBy(fileId, true, valueError)}
                  onChange={(e) => void chooseFile(e.target.files?.[0])}
                />
                <label htmlFor={fileId} id={`${fileId}-button`} className="button">
                  <Icon name="upload" size={16} />
                  {file || (editing && !kindChanged) ? 'Choose another file…' : 'Choose a file…'}
                </label>
                {reading && <span className="muted">Reading…</span>}
                {file && (
                  <span className="file-chosen" data-testid="secret-file-chosen">
                    <Icon name="file" size={16} />
                    <span className="mono file-chosen-name">{file.name}</span>
                    <span className="muted">{formatBytes(file.size)}</span>
                    <button
                      type="button"
                      className="icon-button file-remove"
                      aria-label={`Remove ${file.name}`}
                      onClick={removeFile}
                    >
                      <Icon name="close" size={16} />
                    </button>
                  </span>
                )}
              </div>
              <FieldNotes id={fileId} testId="secret-error-value" hint={valueHint} error={valueError} />
            </div>
          )}

          <fieldset
            className="field fieldset"
            aria-describedby={describedBy(accessId, true, accessError)}
            data-testid="secret-access"
          >
            <legend className="field-label">Who may use it</legend>
            <label className="check check-card">
              <input
                {...register('global', { onChange: () => clearErrors('agent_ids') })}
                type="checkbox"
                data-testid="secret-global"
              />
              <span className="check-text">
                <span className="check-title">
                  <Icon name="globe" size={16} /> Every agent (global)
                </span>
                <span className="muted check-detail">Also agents added to praktor.yaml later.</span>
              </span>
            </label>
            {!global && (
              <div className="check-list" data-testid="secret-agents">
                {agents.isPending && <p className="muted">Loading agents…</p>}
                {agents.isError && <ErrorNote error={agents.error} prefix="Could not load the agents" />}
                {agents.data?.length === 0 && <p className="muted">No agents are configured.</p>}
                {agents.data?.map((agent) => (
                  <label key={agent.id} className="check">
                    <input
                      type="checkbox"
                      data-testid={`secret-agent-${agent.id}`}
                      checked={agentIds.includes(agent.id)}
                      onChange={(e) => {
                        const others = agentIds.filter((existing) => existing !== agent.id);
                        setValue('agent_ids', e.target.checked ? [...others, agent.id] : others);
                        clearErrors(['global', 'agent_ids']);
                      }}
                    />
                    <span className="check-text">
                      <span className="check-title">{agent.name}</span>
                      {agent.description && <span className="muted check-detail">{agent.description}</span>}
                    </span>
                  </label>
                ))}
                {strayAgents.length > 0 && (
                  <p className="field-hint muted">
                    Also assigned to {strayAgents.join(', ')}, no longer in praktor.yaml; saving drops{' '}
                    {strayAgents.length === 1 ? 'it' : 'them'}.
                  </p>
                )}
              </div>
            )}
            <FieldNotes
              id={accessId}
              testId="secret-error-access"
              error={accessError}
              hint={
                !global && agentIds.length === 0 && agents.data?.length ? (
                  <span className="hint-warn">No agent may use it until you pick one or make it global.</span>
                ) : (
                  <>
                    An agent gets it only where its praktor.yaml entry names <code>{reference}</code>, under{' '}
                    <code>env</code> or <code>files</code>.
                  </>
                )
              }
            />
          </fieldset>
        </div>
        {!formError && locked && (
          <div className="dialog-alerts">
            <VaultProblem message={VAULT_LOCKED} inForm />
          </div>
        )}
        {formError && (
          <div className="dialog-alerts">
            {formError instanceof ApiError && formError.status === 503 ? (
              <VaultProblem message={formError.message} inForm />
            ) : (
              <ErrorNote error={formError} prefix="Could not save" testId="secret-form-error" />
            )}
          </div>
        )}
        <footer className="dialog-foot">
          <button
            type="button"
            className="button"
            data-testid="secret-cancel"
            disabled={busy}
            onClick={onClose}
          >
            Cancel
          </button>
          <button
            type="submit"
            className="button button-primary"
            data-testid="secret-save"
            disabled={busy || reading}
          >
            {busy ? 'Saving…' : editing ? 'Save changes' : 'Create secret'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
