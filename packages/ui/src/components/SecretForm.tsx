import type {
  CreateSecretRequest,
  SecretEncoding,
  SecretItem,
  SecretKind,
  UpdateSecretRequest,
} from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { splitFieldMessage } from '../api/field-message';
import { keys, useAgents, useVaultProblem } from '../api/queries';
import { bytesToBase64, formatBytes, MAX_SECRET_BYTES, utf8Length } from '../secret-input';
import { Dialog } from './Dialog';
import { ErrorNote } from './ErrorNote';
import { describedBy, FieldNotes } from './FieldNotes';
import { Icon } from './Icon';
import { VaultProblem } from './VaultProblem';

/** The parts of the form an error can be shown by. */
type Field = 'name' | 'kind' | 'description' | 'value' | 'access';
type FieldErrors = Partial<Record<Field, string>>;

/** The API's request fields, and where the form shows a message about each. */
const FIELD_OF: Record<string, Field> = {
  name: 'name',
  kind: 'kind',
  description: 'description',
  value: 'value',
  filename: 'value',
  encoding: 'value',
  global: 'access',
  agent_ids: 'access',
};
const ORDER: Field[] = ['name', 'kind', 'description', 'value', 'access'];

/** A file read into memory: its bytes as base64, ready to send. */
interface ChosenFile {
  name: string;
  size: number;
  base64: string;
}

/** What the form sends for the value, or null when it sends none. */
interface ValuePart {
  value: string;
  encoding: SecretEncoding;
  filename: string | null;
}

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
  const id = useId();

  const [name, setName] = useState(secret?.name ?? '');
  const [kind, setKind] = useState<SecretKind>(secret?.kind ?? 'string');
  const [description, setDescription] = useState(secret?.description ?? '');
  const [text, setText] = useState('');
  const [shown, setShown] = useState(false);
  const [file, setFile] = useState<ChosenFile | null>(null);
  const [reading, setReading] = useState(false);
  const [global, setGlobal] = useState(secret?.global ?? false);
  const [agentIds, setAgentIds] = useState<string[]>(secret?.agent_ids ?? []);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<Error | null>(null);

  const nameRef = useRef<HTMLInputElement>(null);
  const kindRef = useRef<HTMLInputElement>(null);
  const descriptionRef = useRef<HTMLInputElement>(null);
  const valueRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const globalRef = useRef<HTMLInputElement>(null);
  const focusTarget: Record<Field, () => HTMLElement | null> = {
    name: () => nameRef.current,
    kind: () => kindRef.current,
    description: () => descriptionRef.current,
    value: () => valueRef.current ?? fileRef.current,
    access: () => globalRef.current,
  };

  const kindChanged = editing && kind !== secret.kind;
  const configured = agents.data?.map((a) => a.id);
  const strayAgents = configured ? agentIds.filter((a) => !configured.includes(a)) : [];

  const showErrors = (found: FieldErrors) => {
    setErrors(found);
    const first = ORDER.find((f) => found[f]);
    if (first) focusTarget[first]()?.focus();
  };
  const clearError = (field: Field) => setErrors((e) => (e[field] ? { ...e, [field]: undefined } : e));

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
          ? splitFieldMessage(err.message, Object.keys(FIELD_OF))
          : null;
      const field = split ? FIELD_OF[split.field] : undefined;
      if (split && field) showErrors({ [field]: split.message });
      else setFormError(err);
    },
    // Whatever happened, the list shows the vault as it is now.
    onSettled: () => client.invalidateQueries({ queryKey: keys.secrets }),
  });
  const busy = save.isPending;

  const valuePart = (): ValuePart | null => {
    if (kind === 'file') return file ? { value: file.base64, encoding: 'base64', filename: file.name } : null;
    return text === '' ? null : { value: text, encoding: 'utf8', filename: null };
  };

  const check = (value: ValuePart | null): FieldErrors => {
    const found: FieldErrors = {};
    if (!editing) {
      if (name === '') found.name = 'Enter a name.';
      else if (existingNames.includes(name))
        found.name = 'A secret with this name exists already. Edit that one, or choose another name.';
    }
    if (value === null && (!editing || kindChanged)) {
      if (kind === 'file')
        found.value = kindChanged ? 'Choose the file that replaces the text value.' : 'Choose a file.';
      else found.value = kindChanged ? 'Enter the text that replaces the file.' : 'Enter the value.';
    } else if (kind === 'string' && utf8Length(text) > MAX_SECRET_BYTES) {
      found.value = `The value is ${formatBytes(utf8Length(text))}; a secret holds at most ${LIMIT}.`;
    }
    return found;
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy || reading) return;
    setFormError(null);
    const value = valuePart();
    const found = check(value);
    if (Object.keys(found).length > 0) {
      showErrors(found);
      return;
    }
    setErrors({});
    // Assignments to agents no longer in praktor.yaml are dropped: the API refuses ids it does not know. When
    // the agents could not be loaded, the assignments are left as they are.
    const access = {
      global,
      ...(configured ? { agent_ids: agentIds.filter((a) => configured.includes(a)) } : {}),
    };
    if (editing) {
      save.mutate({
        description,
        kind,
        ...access,
        ...(value ?? { encoding: 'utf8' as const }),
      });
    } else if (value) {
      save.mutate({ name, description, kind, ...access, ...value });
    }
  };

  const chooseFile = async (chosen: File | undefined) => {
    clearError('value');
    setFile(null);
    if (!chosen) return;
    if (chosen.size > MAX_SECRET_BYTES) {
      if (fileRef.current) fileRef.current.value = '';
      showErrors({
        value: `${chosen.name} is ${formatBytes(chosen.size)}; a secret holds at most ${LIMIT}.`,
      });
      return;
    }
    setReading(true);
    try {
      const bytes = new Uint8Array(await chosen.arrayBuffer());
      setFile({ name: chosen.name, size: bytes.length, base64: bytesToBase64(bytes) });
    } catch (err) {
      showErrors({ value: `Could not read ${chosen.name}: ${(err as Error).message}` });
    } finally {
      setReading(false);
    }
  };

  const removeFile = () => {
    setFile(null);
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
          <div className="field">
            <label htmlFor={nameId} className="field-label">
              Name
            </label>
            <input
              ref={nameRef}
              id={nameId}
              className="input mono"
              data-testid="secret-name"
              value={name}
              readOnly={editing}
              aria-readonly={editing || undefined}
              aria-invalid={errors.name ? true : undefined}
              aria-describedby={describedBy(nameId, true, errors.name)}
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
              placeholder="github_token"
              maxLength={128}
              data-autofocus={editing ? undefined : true}
              onChange={(e) => {
                setName(e.target.value);
                clearError('name');
              }}
            />
            <FieldNotes
              id={nameId}
              testId="secret-error-name"
              error={errors.name}
              hint={
                editing ? (
                  <>
                    Fixed: praktor.yaml refers to it as <code>{reference}</code>.
                  </>
                ) : (
                  <>
                    Letters, digits, <code>_</code> <code>.</code> <code>-</code>. praktor.yaml refers to it
                    as <code data-testid="secret-reference">{reference}</code>.
                  </>
                )
              }
            />
          </div>

          <fieldset
            className="field fieldset"
            aria-describedby={describedBy(kindId, false, errors.kind)}
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
                    ref={value === 'string' ? kindRef : undefined}
                    type="radio"
                    name={`${id}-kind`}
                    value={value}
                    checked={kind === value}
                    disabled={busy}
                    data-testid={`secret-kind-${value}`}
                    onChange={() => {
                      setKind(value);
                      clearError('kind');
                      clearError('value');
                    }}
                  />
                  <Icon name={icon} />
                  {label}
                </label>
              ))}
            </div>
            <FieldNotes id={kindId} testId="secret-error-kind" error={errors.kind} />
          </fieldset>

          <div className="field">
            <label htmlFor={descriptionId} className="field-label">
              Description <span className="field-optional">optional</span>
            </label>
            <input
              ref={descriptionRef}
              id={descriptionId}
              className="input"
              data-testid="secret-description"
              value={description}
              maxLength={2000}
              placeholder="What it is for, where it came from"
              aria-invalid={errors.description ? true : undefined}
              aria-describedby={describedBy(descriptionId, false, errors.description)}
              data-autofocus={editing ? true : undefined}
              onChange={(e) => {
                setDescription(e.target.value);
                clearError('description');
              }}
            />
            <FieldNotes id={descriptionId} testId="secret-error-description" error={errors.description} />
          </div>

          {kind === 'string' ? (
            <div className="field">
              <div className="field-label-row">
                <label htmlFor={valueId} className="field-label">
                  Value
                </label>
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
              </div>
              <textarea
                ref={valueRef}
                id={valueId}
                className={`input secret-value${shown ? '' : ' secret-value-masked'}`}
                data-testid="secret-value"
                data-masked={!shown}
                value={text}
                rows={3}
                autoComplete="off"
                autoCapitalize="off"
                autoCorrect="off"
                spellCheck={false}
                placeholder={editing && !kindChanged ? 'Unchanged' : 'Paste the value'}
                aria-invalid={errors.value ? true : undefined}
                aria-describedby={describedBy(valueId, true, errors.value)}
                onChange={(e) => {
                  setText(e.target.value);
                  clearError('value');
                }}
              />
              <FieldNotes id={valueId} testId="secret-error-value" hint={valueHint} error={errors.value} />
            </div>
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
                  aria-invalid={errors.value ? true : undefined}
                  aria-describedby={describedBy(fileId, true, errors.value)}
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
              <FieldNotes id={fileId} testId="secret-error-value" hint={valueHint} error={errors.value} />
            </div>
          )}

          <fieldset
            className="field fieldset"
            aria-describedby={describedBy(accessId, true, errors.access)}
            data-testid="secret-access"
          >
            <legend className="field-label">Who may use it</legend>
            <label className="check check-card">
              <input
                ref={globalRef}
                type="checkbox"
                checked={global}
                data-testid="secret-global"
                onChange={(e) => {
                  setGlobal(e.target.checked);
                  clearError('access');
                }}
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
                        const on = e.target.checked;
                        setAgentIds((ids) =>
                          on ? [...ids, agent.id] : ids.filter((existing) => existing !== agent.id),
                        );
                        clearError('access');
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
              error={errors.access}
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
