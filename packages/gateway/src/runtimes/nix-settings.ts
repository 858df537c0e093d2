/**
 * What every runtime tells an agent's nix: where to get packages (`nix.substituters`) and whose signatures to trust.
 */
import type { ResolvedAgent } from '../config/index.js';

/** NIX_CONFIG naming the agent's binary caches and the keys trusted to sign them, with `extra` settings after. */
export function nixSettings(caches: ResolvedAgent['nixCaches'], extra: readonly string[] = []): string {
  return [
    `substituters = ${caches.substituters.join(' ')}`,
    `trusted-public-keys = ${caches.trustedPublicKeys.join(' ')}`,
    ...extra,
  ].join('\n');
}
