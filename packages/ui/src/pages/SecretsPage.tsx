import type { AgentSummary, SecretItem } from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/endpoints';
import { keys, useAgents, useSecrets, useStatus, useVaultProblem } from '../api/queries';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNote } from '../components/ErrorNote';
import { Icon } from '../components/Icon';
import { PageHeader } from '../components/PageHeader';
import { SecretForm } from '../components/SecretForm';
import { VAULT_LOCKED, VaultProblem } from '../components/VaultProblem';
import { formatAgo, formatFullTime } from '../format';
import { useNow } from '../useNow';
import { usePageTitle } from '../usePageTitle';

const EXAMPLE = `agents:
  coder:
    env:
      GITHUB_TOKEN: secret:github_token
    files:
      - secret: gcp_service_account
        target: /etc/gcp/sa.json
        mode: "0600"`;

/** How secrets reach agents, with an example: the empty page's explanation and the list's footnote. */
function HowItWorks() {
  return (
    <div className="secrets-help">
      <p>
        Secrets are stored encrypted in Praktor’s vault. An agent gets one only where its entry in{' '}
        <code>praktor.yaml</code> refers to it as <code>secret:&lt;name&gt;</code>, and only if the secret is
        assigned to that agent or global:
      </p>
      <ul className="secrets-help-list">
        <li>
          Under <code>env</code> it becomes an <strong>environment variable</strong>.
        </li>
        <li>
          Under <code>files</code> it becomes a <strong>file</strong> at <code>target</code>, with{' '}
          <code>mode</code>.
        </li>
      </ul>
      <p className="muted">For example, in praktor.yaml:</p>
      <pre className="code-block">{EXAMPLE}</pre>
      <p className="muted">
        Praktor never puts a value into a prompt, and whatever an agent could see is masked as{' '}
        <code>[REDACTED]</code> in everything that leaves its sandbox: answers, stored messages, live updates,
        logs and Telegram.
      </p>
    </div>
  );
}

/** Who may use a secret, in words. */
function Access({ secret, agents }: { secret: SecretItem; agents: AgentSummary[] | undefined }) {
  const nameOf = (id: string) => agents?.find((a) => a.id === id)?.name ?? id;
  const stray = (id: string) => agents !== undefined && !agents.some((a) => a.id === id);
  const chips = secret.agent_ids.map((id) => (
    <li
      key={id}
      className={`chip${stray(id) ? ' chip-stray' : ''}`}
      title={stray(id) ? 'Not in praktor.yaml' : ''}
    >
      {nameOf(id)}
    </li>
  ));
  if (secret.global) {
    return (
      <div className="secret-access" data-testid="secret-agents">
        <span className="muted">Agents</span>
        <span className="chip chip-accent">Every agent</span>
      </div>
    );
  }
  if (chips.length === 0) {
    return (
      <p className="secret-access hint-warn" data-testid="secret-agents">
        No agent may use it yet
      </p>
    );
  }
  return (
    <div className="secret-access" data-testid="secret-agents">
      <span className="muted">Agents</span>
      <ul className="chips" aria-label="Agents that may use it">
        {chips}
      </ul>
    </div>
  );
}

/** One secret in the list: what it is and who may use it, never its value. */
function SecretRow({
  secret,
  agents,
  now,
  onEdit,
  onDelete,
}: {
  secret: SecretItem;
  agents: AgentSummary[] | undefined;
  now: number;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const file = secret.kind === 'file';
  return (
    <li className="secret-row" data-testid="secret-row" data-secret-name={secret.name}>
      <span className={`secret-icon secret-icon-${secret.kind}`} aria-hidden="true">
        <Icon name={file ? 'file' : 'text'} />
      </span>
      <div className="secret-main">
        <div className="secret-head">
          <h3 className="secret-name mono">{secret.name}</h3>
          <span className="badge" data-testid="secret-kind" data-kind={secret.kind}>
            {file ? 'File' : 'Text'}
          </span>
          {secret.uses.map((use) => (
            <span
              key={use}
              className="badge"
              data-testid="secret-use"
              data-use={use}
              title={
                use === 'injected'
                  ? `Added by the gateway as ${secret.inject?.header.split(':')[0]} to HTTPS requests to ${secret.inject?.hosts.join(', ')}; agents see only a placeholder`
                  : use === 'env'
                    ? 'Given to agents as an environment variable'
                    : 'Placed in agents’ sandboxes as a file'
              }
            >
              {use === 'injected' ? 'Injected' : use === 'env' ? 'Env' : 'File'}
            </span>
          ))}
          {secret.global && (
            <span className="badge badge-accent" data-testid="secret-global">
              <Icon name="globe" size={13} />
              Global
            </span>
          )}
        </div>
        {file && secret.filename && (
          <p className="secret-filename" data-testid="secret-filename">
            <Icon name="file" size={14} />
            <span className="mono">{secret.filename}</span>
          </p>
        )}
        {secret.description && (
          <p className="secret-description" data-testid="secret-description">
            {secret.description}
          </p>
        )}
        <Access secret={secret} agents={agents} />
        <p className="secret-meta muted">
          Updated{' '}
          <time
            dateTime={new Date(secret.updated_at).toISOString()}
            title={formatFullTime(secret.updated_at)}
          >
            {formatAgo(secret.updated_at, now)}
          </time>
        </p>
      </div>
      <div className="secret-actions">
        <button
          type="button"
          className="button button-small"
          data-testid="secret-edit"
          aria-label={`Edit ${secret.name}`}
          onClick={onEdit}
        >
          <Icon name="edit" size={16} />
          Edit
        </button>
        <button
          type="button"
          className="button button-small button-danger-quiet"
          data-testid="secret-delete"
          aria-label={`Delete ${secret.name}`}
          onClick={onDelete}
        >
          <Icon name="trash" size={16} />
          Delete
        </button>
      </div>
    </li>
  );
}

type Editing = { mode: 'create' } | { mode: 'edit'; secret: SecretItem };

/** The vault: every secret (never a value), and the forms to add, change, assign and delete them. */
export function SecretsPage() {
  usePageTitle('Secrets');
  const client = useQueryClient();
  const secrets = useSecrets();
  const agents = useAgents();
  const now = useNow(30_000);
  const [refused] = useVaultProblem();
  // Known before anything is saved: a locked vault is said at once, not after a value was typed in vain.
  const locked = useStatus().data?.vault.locked === true;
  const vaultProblem = refused ?? (locked ? VAULT_LOCKED : null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<SecretItem | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  const remove = useMutation({
    mutationFn: (name: string) => api.deleteSecret(name),
    onSuccess: (_reply, name) => {
      setDeleting(null);
      setStatus(`Deleted “${name}”. Agents that refer to it will not start until it exists again.`);
    },
    onSettled: () => client.invalidateQueries({ queryKey: keys.secrets }),
  });

  const list = secrets.data ?? [];
  const newButton = (label: string, testId: string) => (
    <button
      type="button"
      className="button button-primary"
      data-testid={testId}
      onClick={() => {
        setStatus(null);
        setEditing({ mode: 'create' });
      }}
    >
      <Icon name="plus" size={16} />
      {label}
    </button>
  );

  return (
    <>
      <PageHeader
        title="Secrets"
        subtitle="Passwords, tokens and key files for your agents. Encrypted at rest, never shown after saving."
        actions={secrets.data && list.length > 0 ? newButton('New secret', 'secrets-new') : undefined}
      />
      {vaultProblem && <VaultProblem message={vaultProblem} />}
      <p className="secrets-status" role="status" data-testid="secrets-status">
        {status}
      </p>

      {secrets.isPending && <p className="muted">Loading secrets…</p>}
      {secrets.isError && <ErrorNote error={secrets.error} prefix="Could not load the secrets" />}

      {secrets.data && list.length === 0 && (
        <section
          className="card secrets-empty"
          data-testid="secrets-empty"
          aria-labelledby="secrets-empty-title"
        >
          <span className="secrets-empty-icon" aria-hidden="true">
            <Icon name="key" size={28} />
          </span>
          <h2 id="secrets-empty-title" className="card-title">
            No secrets yet
          </h2>
          <p className="muted secrets-empty-lead">
            Give agents API tokens, passwords and key files without putting them in praktor.yaml, a prompt or
            a chat.
          </p>
          {newButton('Add a secret', 'secrets-new')}
          <HowItWorks />
          <p className="muted secrets-empty-foot">
            The vault needs a passphrase: <code>vault.passphrase</code> in praktor.yaml or{' '}
            <code>PRAKTOR_VAULT_PASSPHRASE</code>. The command line has the same tools:{' '}
            <code>praktor vault --help</code>.
          </p>
        </section>
      )}

      {list.length > 0 && (
        <>
          <section className="card secrets-card" aria-labelledby="secrets-list-title">
            <div className="card-head">
              <h2 id="secrets-list-title" className="card-title">
                {list.length === 1 ? '1 secret' : `${list.length} secrets`}
              </h2>
            </div>
            <ul className="secret-list" data-testid="secrets-list">
              {list.map((secret) => (
                <SecretRow
                  key={secret.name}
                  secret={secret}
                  agents={agents.data}
                  now={now}
                  onEdit={() => {
                    setStatus(null);
                    setEditing({ mode: 'edit', secret });
                  }}
                  onDelete={() => {
                    setStatus(null);
                    remove.reset();
                    setDeleting(secret);
                  }}
                />
              ))}
            </ul>
          </section>
          <details className="card secrets-details">
            <summary>How agents use secrets</summary>
            <HowItWorks />
          </details>
        </>
      )}

      {editing && (
        <SecretForm
          key={editing.mode === 'edit' ? editing.secret.name : ''}
          {...(editing.mode === 'edit' ? { secret: editing.secret } : {})}
          existingNames={list.map((s) => s.name)}
          onClose={() => setEditing(null)}
          onSaved={(saved, created) => {
            setEditing(null);
            setStatus(
              created
                ? `Created “${saved.name}”.`
                : `Saved “${saved.name}”. Running agents get the change the next time they start.`,
            );
          }}
        />
      )}

      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.name}?`}
          confirmLabel="Delete secret"
          pendingLabel="Deleting…"
          pending={remove.isPending}
          error={remove.error}
          onCancel={() => setDeleting(null)}
          onConfirm={() => remove.mutate(deleting.name)}
        >
          <p>
            The value is erased from the vault for good. Agents whose praktor.yaml refers to{' '}
            <code>secret:{deleting.name}</code> will not start until a secret with that name exists again.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
