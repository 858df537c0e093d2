/**
 * Making an agent call one tool, through the real Claude Code: the test scripts the call under a marker, sends the
 * marker to the agent, and the fake model answers it with the scripted tool use; what the tool answered comes back
 * in the next request. Suites of the agents' tools (nix, Bash) use it.
 */
import { reply } from './anthropic/reply.js';
import type { ModelHandler, ModelRequest } from './anthropic/types.js';
import type { Stack } from './stack.js';

/** Scripted tool calls for one stack: its model `handler`, and `call` once the stack runs. */
export interface ToolCalls {
  /** The fake model: a scripted marker becomes its tool use; a tool's result is echoed; anything else is heard. */
  handler: ModelHandler;
  /** Has `agent` call `tool` with `input` (a message over Mission Control's API) and returns what the tool said. */
  call(
    stack: Stack,
    agent: string,
    tool: string,
    input: Record<string, unknown>,
    timeoutMs?: number,
  ): Promise<string>;
}

/** New scripted tool calls; markers are numbered per instance. */
export function toolCalls(): ToolCalls {
  const scripts = new Map<string, { tool: string; input: Record<string, unknown> }>();
  let probes = 0;
  return {
    handler(req: ModelRequest) {
      if (req.kind !== 'main') return reply.text('side call');
      if (req.toolResults.length > 0) return reply.text(`tool said: ${req.toolResults[0]?.content ?? ''}`);
      const script = scripts.get(req.lastUserText.split('\n').at(-1) ?? '');
      if (script) return reply.toolUse(script.tool, script.input);
      return reply.text(`heard: ${req.lastUserText}`);
    },
    async call(stack, agent, tool, input, timeoutMs = 180_000) {
      probes += 1;
      // Ends in a letter, so that no marker is the start of another (call-1-x, call-10-x).
      const marker = `call-${probes}-x`;
      scripts.set(marker, { tool, input });
      const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/${agent}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: marker }),
      });
      if (response.status !== 202) throw new Error(`message to ${agent} refused: ${response.status}`);
      const request = await stack.anthropic.waitForRequest(
        (r) => r.toolResults.length > 0 && r.transcript.includes(marker),
        timeoutMs,
      );
      return request.toolResults[0]?.content ?? '';
    },
  };
}
