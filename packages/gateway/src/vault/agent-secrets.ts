/**
 * Secrets as agents meet them: `secret:<name>` references and `files` entries resolved for one agent (only
 * secrets assigned to it or global), and the masking of every value an agent could see in what it writes.
 */
import { type HostPattern, parseHostPattern, parseInjectHeader } from '@praktor/protocol';
import type { ResolvedAgent } from '../config/index.js';
import type { Injection } from '../egress/credential-injector.js';
import { CREDENTIAL_PLACEHOLDER } from '../egress/model-proxy.js';
import { AgentStartError, type SecretResolver } from '../orchestrator/agent-env.js';
import type { Redactor, StreamMasker } from '../orchestrator/redactor.js';
import type { SandboxFile } from '../runtimes/runtime.js';
import { Masker, patternsOf } from './mask.js';
import { type Vault, VaultError } from './vault.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The value as text, or null when it is not valid UTF-8. */
export function asText(value: Buffer): string | null {
  try {
    return strictUtf8.decode(value);
  } catch {
    return null;
  }
}

/** Resolves agents' secrets from the vault and masks their values in what agents write. */
export class AgentSecrets implements SecretResolver {
  /** Values each agent was given since the gateway started: masked even after a secret changes or goes. */
  private readonly given = new Map<string, Set<string>>();
  private readonly maskers = new Map<string, { revision: number; given: number; masker: Masker }>();

  /**
   * `alwaysMasked`: values every agent can see besides its secrets (the model API credentials it is given).
   */
  constructor(
    private readonly vault: Vault,
    private readonly alwaysMasked: readonly string[] = [],
  ) {}

  text(agent: ResolvedAgent, name: string, where: string): string {
    const text = asText(this.resolve(agent, name, where));
    if (text === null || text.includes('\0')) {
      throw new AgentStartError(
        `${where} refers to the secret "${name}", which holds binary data and cannot be an environment ` +
          'variable; place it with files: instead',
      );
    }
    return text;
  }

  /**
   * The HTTP credentials the gateway's proxy adds for `agent`: every secret it may use that is declared with
   * `inject`. A secret the vault cannot open is left out (the agent then simply goes without it).
   */
  injections(agentId: string): Injection[] {
    if (!this.vault.hasPassphrase) return [];
    const injections: Injection[] = [];
    for (const secret of this.vault.accessible(agentId)) {
      if (secret.inject === null) continue;
      const header = parseInjectHeader(secret.inject.header);
      const hosts = secret.inject.hosts.map(parseHostPattern);
      let value: string | null;
      try {
        value = asText(this.vault.reveal(secret.name));
      } catch (err) {
        if (err instanceof VaultError) continue;
        throw err;
      }
      // The declaration was validated when it was stored; a binary value cannot go into a header.
      if (typeof header === 'string' || value === null || /[\r\n\0]/.test(value)) continue;
      injections.push({
        secret: secret.name,
        hosts: hosts.filter((pattern): pattern is HostPattern => typeof pattern !== 'string'),
        header: header.name,
        value: header.template.replace('{value}', value),
      });
    }
    return injections;
  }

  files(agent: ResolvedAgent): SandboxFile[] {
    return agent.files.map((file, index) => ({
      secret: file.secret,
      target: file.target,
      mode: Number.parseInt(file.mode, 8),
      content: this.resolve(agent, file.secret, `agents.${agent.id}.files[${index}]`),
    }));
  }

  /** Masks, in what an agent writes, every value it could see: its secrets and the model credentials. */
  readonly redactor: Redactor = {
    text: (agentId: string, text: string): string => this.maskerFor(agentId).text(text),
    stream: (agentId: string): StreamMasker => this.maskerFor(agentId).stream(),
  };

  /** The value of secret `name` for `agent`, or an {@link AgentStartError} naming the secret and `where`. */
  private resolve(agent: ResolvedAgent, name: string, where: string): Buffer {
    const refers = `${where} refers to the secret "${name}"`;
    if (!this.vault.hasPassphrase) {
      throw new AgentStartError(
        `${refers}, but the vault is locked: no passphrase is set ` +
          '(set vault.passphrase in praktor.yaml or PRAKTOR_VAULT_PASSPHRASE and start Praktor again)',
      );
    }
    const info = this.vault.info(name);
    if (!info) {
      throw new AgentStartError(`${refers}, which is not in the vault (add it: praktor vault set ${name} …)`);
    }
    if (!info.global && !info.agentIds.includes(agent.id)) {
      throw new AgentStartError(
        `${refers}, which agent "${agent.id}" may not use: assign it ` +
          `(praktor vault assign ${name} --agent ${agent.id}) or make it global`,
      );
    }
    // An injected credential never enters the sandbox: tools that want the variable or file set get a stand-in.
    if (info.inject !== null) return Buffer.from(CREDENTIAL_PLACEHOLDER);
    let value: Buffer;
    try {
      value = this.vault.reveal(name);
    } catch (err) {
      if (err instanceof VaultError) throw new AgentStartError(`${refers}, but ${err.message}`);
      throw err;
    }
    const text = asText(value);
    if (text !== null) {
      const given = this.given.get(agent.id) ?? new Set<string>();
      given.add(text);
      this.given.set(agent.id, given);
    }
    return value;
  }

  /** The masker for `agentId`, rebuilt when the vault or what the agent was given changed. */
  private maskerFor(agentId: string): Masker {
    const revision = this.vault.revision();
    const given = this.given.get(agentId) ?? new Set<string>();
    const cached = this.maskers.get(agentId);
    if (cached && cached.revision === revision && cached.given === given.size) return cached.masker;
    const values = [...this.alwaysMasked, ...given];
    if (this.vault.hasPassphrase) {
      for (const secret of this.vault.accessible(agentId)) {
        try {
          const text = asText(this.vault.reveal(secret.name));
          if (text !== null) values.push(text);
        } catch (err) {
          // A secret the vault cannot open (VaultError) cannot have reached the agent either; anything else is a fault.
          if (!(err instanceof VaultError)) throw err;
        }
      }
    }
    const masker = new Masker(patternsOf(values));
    this.maskers.set(agentId, { revision, given: given.size, masker });
    return masker;
  }
}
