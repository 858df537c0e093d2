import type { AgentSummary, MessageItem } from '@praktor/protocol';
import { useMutation } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { ErrorNote } from './ErrorNote';
import { Icon } from './Icon';

/** Whether a user's message still waits for, or is getting, its answer. */
function open(message: MessageItem): boolean {
  return message.role === 'user' && ['received', 'routed', 'processing'].includes(message.state);
}

/**
 * The chat header's *New conversation* and *Stop*: the same as `/reset` and `/stop` in a chat. Stop is offered while
 * something of this conversation waits or is being answered; what it stopped shows as stopped in the conversation.
 */
export function ChatControls({ agent, messages }: { agent: AgentSummary; messages: MessageItem[] }) {
  const control = useMutation({
    mutationFn: (action: 'reset' | 'stop') =>
      action === 'reset' ? api.resetConversation(agent.id) : api.interruptAgent(agent.id),
  });
  const working = agent.agent_status === 'busy' || messages.some(open);
  return (
    <>
      <button
        type="button"
        className="button button-small"
        data-testid="chat-reset"
        aria-label={`Start a new conversation with ${agent.name}`}
        disabled={control.isPending}
        onClick={() => control.mutate('reset')}
      >
        <Icon name="plus" size={14} />
        <span className="long-label">New conversation</span>
        <span className="short-label">New</span>
      </button>
      <button
        type="button"
        className="button button-small"
        data-testid="chat-stop"
        aria-label={`Stop ${agent.name}’s answer`}
        disabled={!working || control.isPending}
        onClick={() => control.mutate('stop')}
      >
        <Icon name="stop" size={14} /> Stop
      </button>
      {control.isError && (
        <ErrorNote
          error={control.error}
          prefix={control.variables === 'reset' ? 'Could not start a new conversation' : 'Could not stop'}
        />
      )}
    </>
  );
}
