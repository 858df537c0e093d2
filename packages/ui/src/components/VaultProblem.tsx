import { Icon } from './Icon';

/** What the page says for a vault `/api/status` reports locked, before any save was refused. */
export const VAULT_LOCKED = 'the vault has no passphrase';

/** Whether the gateway's message says the vault has no passphrase (as opposed to another 503 of the vault). */
export function isVaultLocked(message: string): boolean {
  return /no passphrase/i.test(message);
}

/**
 * Why the vault refused a write, with what to do about it. A locked vault (no passphrase configured) gets the
 * fix spelled out; anything else shows the gateway's own words. `inForm` leaves out what the page can still do.
 */
export function VaultProblem({ message, inForm = false }: { message: string; inForm?: boolean }) {
  const locked = isVaultLocked(message);
  return (
    <div className="banner banner-warn" role="alert" data-testid="vault-problem" data-locked={locked}>
      <span className="banner-icon" aria-hidden="true">
        <Icon name="key" size={20} />
      </span>
      <div className="banner-body">
        {locked ? (
          <>
            <p className="banner-title">The vault is locked</p>
            <p>
              Praktor has no vault passphrase, so it cannot store new values, and agents that use secrets
              cannot start. Set <code>vault.passphrase</code> in praktor.yaml or the{' '}
              <code>PRAKTOR_VAULT_PASSPHRASE</code> environment variable, then restart Praktor.
            </p>
            {!inForm && (
              <p className="muted">Descriptions and access can still be changed, and secrets deleted.</p>
            )}
          </>
        ) : (
          <>
            <p className="banner-title">The vault cannot be used right now</p>
            <p>{message.charAt(0).toUpperCase() + message.slice(1)}</p>
          </>
        )}
      </div>
    </div>
  );
}
