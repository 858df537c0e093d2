/**
 * An agent's extensions: the MCP servers, marketplaces, plugins and skills that make a general agent the user's own.
 * The JSON shape is the original Praktor's (`mcp_servers`, `marketplaces`, `plugins`, `skills`); each is applied
 * when the agent's sandbox starts, and the runner reports back what it found ({@link ExtensionStatus}).
 */
import { z } from 'zod';

/** The prefix of a value taken from the vault: `secret:<name>`. */
export const SECRET_REFERENCE_PREFIX = 'secret:';

const text = (what = 'must be text') => z.string({ error: what });
const textMap = z.record(text(), text('must be text (a value or "secret:<name>")'), {
  error: 'must be an object of names to text values',
});

/** An MCP server the runner starts inside the sandbox: a command and its arguments, never a shell line. */
export const McpStdioServer = z.object({
  type: z.literal('stdio'),
  command: text().min(1, 'is required for a stdio server'),
  args: z.array(text(), { error: 'must be a list of text arguments' }).optional(),
  /** Values may be `secret:<name>` references, resolved from the vault when the sandbox starts. */
  env: textMap.optional(),
  /** The nix packages that provide `command`, installed when it is not on the PATH (default: the command's name). */
  requires: z.array(text(), { error: 'must be a list of nix package names' }).optional(),
});
export type McpStdioServer = z.infer<typeof McpStdioServer>;

/** An MCP server reached over streamable HTTP from the sandbox. */
export const McpHttpServer = z.object({
  type: z.literal('http'),
  url: z.url({ error: 'is required for an http server and must be an http(s) URL', protocol: /^https?$/ }),
  /** Values may be `secret:<name>` references, resolved from the vault when the sandbox starts. */
  headers: textMap.optional(),
});
export type McpHttpServer = z.infer<typeof McpHttpServer>;

/** One MCP server, by transport. */
export const McpServer = z.discriminatedUnion('type', [McpStdioServer, McpHttpServer], {
  error: "must be 'stdio' or 'http'",
});
export type McpServer = z.infer<typeof McpServer>;

/** A marketplace name: what `claude plugin` calls it, and the part of a plugin's name after `@`. */
const MARKETPLACE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]*$/;

/** A plugin marketplace: a GitHub `owner/repo`, a git URL or path, or a URL to a marketplace.json. */
export const Marketplace = z.object({
  source: text().min(1, 'is required'),
  name: text()
    .regex(MARKETPLACE_NAME, 'must be letters, digits and "-", starting with a letter or digit')
    .optional(),
});
export type Marketplace = z.infer<typeof Marketplace>;

/** A plugin from a marketplace, `plugin@marketplace`. */
export const Plugin = z.object({
  name: text()
    .min(1, 'is required')
    .refine((name) => name.includes('@'), 'must be "plugin@marketplace"'),
  disabled: z.boolean({ error: 'must be true or false' }).optional(),
  /** Nix packages the plugin needs, installed before start where the agent has nix and lacks them. */
  requires: z.array(text(), { error: 'must be a list of nix package names' }).optional(),
});
export type Plugin = z.infer<typeof Plugin>;

const SKILL_NAME_RULE = 'must be letters, digits, "_" and "-", starting with a letter or digit';

/** A skill's name: its folder under the skills folder and the name the model sees. */
export const SkillName = text().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, SKILL_NAME_RULE);

/** A path inside a skill's folder: not empty, relative, without `..` (the record's error names the rule). */
const SkillFilePath = text().refine(
  (path) => path !== '' && !path.startsWith('/') && !path.split(/[\\/]/).includes('..'),
);

/** A skill: SKILL.md's description and body, and any further files of its folder (base64). */
export const Skill = z.object({
  description: text().default(''),
  content: text().default(''),
  /** Nix packages the skill needs, installed before start where the agent has nix and lacks them. */
  requires: z.array(text(), { error: 'must be a list of nix package names' }).optional(),
  files: z
    .record(SkillFilePath, z.base64({ error: 'must be standard base64' }), {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? 'a file path must be relative, not empty, and without ".."'
          : 'must be an object of relative paths to base64 contents',
    })
    .optional(),
});
export type Skill = z.infer<typeof Skill>;

/** Everything an agent is extended with; empty members may be left out. */
export const AgentExtensions = z.object({
  mcp_servers: z
    .record(
      // Praktor's own servers are called praktor-…: a server of that name would be hidden behind one of them.
      text().refine((name) => name !== '' && !name.startsWith('praktor-')),
      McpServer,
      {
        error: (issue) =>
          issue.code === 'invalid_key'
            ? 'a server name must not be empty or start with "praktor-" (the names of Praktor\'s own servers)'
            : 'must be an object of server names to servers',
      },
    )
    .optional(),
  marketplaces: z.array(Marketplace, { error: 'must be a list' }).optional(),
  plugins: z.array(Plugin, { error: 'must be a list' }).optional(),
  skills: z
    .record(SkillName, Skill, {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? `a skill name ${SKILL_NAME_RULE}`
          : 'must be an object of skill names to skills',
    })
    .optional(),
});
export type AgentExtensions = z.infer<typeof AgentExtensions>;

/** One MCP server as the agent's Claude Code reported it. */
export const McpServerReport = z.object({
  name: z.string(),
  /** `connected`, `failed`, `pending`, `needs-auth`, `disabled` (Claude Code's words), or `not_started`. */
  status: z.string(),
  error: z.string().nullable(),
  /** The tools it offers, by the name the model calls them. */
  tools: z.array(z.string()),
});
export type McpServerReport = z.infer<typeof McpServerReport>;

/** What the sandbox last found of its extensions: what is installed, enabled, connected, and what went wrong. */
export const ExtensionStatus = z.object({
  /** When the runner reported it (ms since the epoch). */
  reported_at: z.number(),
  mcp_servers: z.array(McpServerReport),
  marketplaces: z.array(z.string()),
  plugins: z.array(z.object({ name: z.string(), enabled: z.boolean() })),
  skills: z.array(z.string()),
  /** Each problem in a sentence a user can act on. */
  errors: z.array(z.string()),
});
export type ExtensionStatus = z.infer<typeof ExtensionStatus>;

/** `GET /api/agents/definitions/{id}/extensions`: the extensions and the status the sandbox last reported (`{}`: none yet). */
export const ExtensionsReply = AgentExtensions.extend({
  _status: z.union([ExtensionStatus, z.object({})]),
});
export type ExtensionsReply = z.infer<typeof ExtensionsReply>;

/**
 * The extensions a runner applies at start, as the gateway resolved them: `secret:` references replaced by their
 * values, and the servers whose references did not resolve left out and named in `errors`.
 */
export const StartExtensions = AgentExtensions.extend({
  errors: z.array(z.string()).default([]),
});
export type StartExtensions = z.infer<typeof StartExtensions>;

/** The runner tells the gateway what it found of the agent's extensions (at start and when it changes). */
export const ExtensionStatusMessage = z.object({
  type: z.literal('extension_status'),
  status: ExtensionStatus,
});
export type ExtensionStatusMessage = z.infer<typeof ExtensionStatusMessage>;

/** Whether an agent has no extensions at all. */
export function extensionsEmpty(ext: AgentExtensions): boolean {
  return (
    Object.keys(ext.mcp_servers ?? {}).length === 0 &&
    (ext.marketplaces ?? []).length === 0 &&
    (ext.plugins ?? []).length === 0 &&
    Object.keys(ext.skills ?? {}).length === 0
  );
}
