/**
 * Praktor's own tools, by the in-process MCP server of the runner that offers them: the model and Claude Code's
 * permission rules spell each one `mcp__<server>__<tool>`. The gateway reads this to let approval rules name a tool
 * by its bare name (`file_send`).
 */
export const PRAKTOR_TOOLS = {
  'praktor-tasks': [
    'scheduled_task_create',
    'scheduled_task_list',
    'scheduled_task_update',
    'scheduled_task_delete',
  ],
  'praktor-files': ['file_send'],
  'praktor-memory': ['memory_store', 'memory_recall', 'memory_list', 'memory_delete', 'memory_forget'],
  'praktor-profile': ['user_profile_read', 'user_profile_update'],
  'praktor-history': ['history_search'],
  'praktor-nix': ['nix_search', 'nix_add', 'nix_list_installed', 'nix_remove', 'nix_upgrade'],
  'praktor-swarm': ['swarm_chat_send', 'swarm_chat_read'],
} as const;

/** One of Praktor's own MCP servers. */
export type PraktorServer = keyof typeof PRAKTOR_TOOLS;

/** The tools of `server` as the model and `allowedTools` spell them. */
export function praktorToolNames(server: PraktorServer): string[] {
  return PRAKTOR_TOOLS[server].map((tool) => `mcp__${server}__${tool}`);
}

/**
 * A permission rule with a bare name of one of Praktor's own tools (`file_send`, `memory_store(…)`) spelled as
 * Claude Code matches it (`mcp__praktor-files__file_send`); any other rule as it is.
 */
export function expandPraktorToolRule(rule: string): string {
  const name = /^[a-z_]+/.exec(rule)?.[0];
  if (name === undefined) return rule;
  for (const [server, tools] of Object.entries(PRAKTOR_TOOLS)) {
    if ((tools as readonly string[]).includes(name)) return `mcp__${server}__${rule}`;
  }
  return rule;
}
