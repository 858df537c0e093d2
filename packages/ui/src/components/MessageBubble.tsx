import { formatBytes, INLINE_IMAGE_TYPES, type MessageFile, type MessageItem } from '@praktor/protocol';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { channelLabel, formatCost, formatCount, formatFullTime, formatTime } from '../format';
import { Markdown } from './Markdown';

/** A note under a message about where it is in its lifecycle, when that is worth saying. */
function stateNote(message: MessageItem): string | null {
  if (message.role === 'user') {
    if (message.state === 'received' || message.state === 'routed') return 'Queued';
    if (message.state === 'processing') return 'Being answered';
    return null;
  }
  if (message.state === 'pending') return 'Delivering';
  return null;
}

/** A file an agent sent: a preview for an image, and a link to download it. */
function SentFile({ messageId, file }: { messageId: number; file: MessageFile }) {
  const url = `/api/messages/${messageId}/file`;
  return (
    <figure className="bubble-file" data-testid="message-file">
      {INLINE_IMAGE_TYPES.has(file.mime_type) && (
        <a href={url} target="_blank" rel="noreferrer">
          <img src={url} alt={file.name} className="bubble-file-preview" loading="lazy" />
        </a>
      )}
      <figcaption>
        <a href={url} download={file.name} data-testid="message-file-link">
          {file.name}
        </a>{' '}
        <span className="muted">{formatBytes(file.size)}</span>
      </figcaption>
    </figure>
  );
}

function speaker(message: MessageItem, agentName: string): ReactNode {
  if (message.role === 'system') return message.sender === 'praktor' ? 'Praktor' : 'Notice';
  if (message.role === 'assistant') return agentName;
  // A scheduled task's prompt: the task wrote it, not the user.
  if (message.task) {
    return (
      <Link to={`/tasks/${encodeURIComponent(message.task.id)}`} data-testid="message-task">
        Task: {message.task.name}
      </Link>
    );
  }
  return message.sender === 'scheduler' ? 'Scheduled task' : 'You';
}

/**
 * One message as a chat bubble: the user's on the right, the agent's on the left, notices across. `answered`
 * says a reply to it is in the conversation: a failure then has its notice there and needs no repeating.
 */
export function MessageBubble({
  message,
  agentName,
  answered,
}: {
  message: MessageItem;
  agentName: string;
  answered: boolean;
}) {
  const note = stateNote(message);
  const failed = message.state === 'failed';
  return (
    <li className={`bubble-row bubble-row-${message.role}`}>
      <article
        className={`bubble bubble-${message.role}${failed ? ' bubble-failed' : ''}${message.sender === 'praktor' ? ' bubble-praktor' : ''}`}
        data-testid="message"
        data-role={message.role}
        data-state={message.state}
        data-message-id={message.id}
      >
        <header className="bubble-meta">
          <span className="bubble-speaker" title={message.sender}>
            {speaker(message, agentName)}
          </span>
          <span className="channel-tag" data-channel={message.channel}>
            {channelLabel(message.channel)}
          </span>
          <time
            dateTime={new Date(message.created_at).toISOString()}
            title={formatFullTime(message.created_at)}
          >
            {formatTime(message.created_at)}
          </time>
        </header>
        {message.role === 'user' ? (
          <p className="bubble-text">{message.text}</p>
        ) : (
          <Markdown text={message.text} className="bubble-text" />
        )}
        {message.file && <SentFile messageId={message.id} file={message.file} />}
        {note && <p className="bubble-note">{note}</p>}
        {message.spend && (
          <p className="bubble-note bubble-cost" data-testid="message-cost">
            {formatCost(message.spend.cost_usd)} · {formatCount(message.spend.input_tokens)} in ·{' '}
            {formatCount(message.spend.output_tokens)} out · {formatCount(message.spend.cache_read_tokens)}{' '}
            cache read · {formatCount(message.spend.cache_write_tokens)} cache write
          </p>
        )}
        {message.routing?.via === 'ai' && (
          <p className="bubble-note" data-testid="message-routing">
            Routed by AI{message.routing.reason ? `: ${message.routing.reason}` : ''}
          </p>
        )}
        {message.routing?.via === 'default' && message.routing.reason && (
          <p className="bubble-note" data-testid="message-routing">
            To the default agent: {message.routing.reason}
          </p>
        )}
        {message.state === 'stopped' && (
          <p className="bubble-note" data-testid="message-stopped">
            Stopped{message.error ? `: ${message.error}` : ''}
          </p>
        )}
        {failed && message.role === 'user' && (
          <p className="bubble-note bubble-note-error">
            {answered || !message.error ? 'Failed' : `Failed: ${message.error}`}
          </p>
        )}
        {failed && message.role === 'assistant' && (
          <p className="bubble-note bubble-note-error">
            Not delivered{message.error ? `: ${message.error}` : ''}
          </p>
        )}
      </article>
    </li>
  );
}

/** A note across the conversation that belongs to no chat, such as where a new conversation starts. */
export function ConversationNote({ message }: { message: MessageItem }) {
  return (
    <li className="conversation-note" data-testid="conversation-note" data-message-id={message.id}>
      <span>{message.text}</span>
      <time dateTime={new Date(message.created_at).toISOString()} title={formatFullTime(message.created_at)}>
        {formatTime(message.created_at)}
      </time>
    </li>
  );
}

/** The answer being written, growing with each delta. */
export function DraftBubble({ text, agentName }: { text: string; agentName: string }) {
  return (
    <li className="bubble-row bubble-row-assistant">
      <article
        className="bubble bubble-assistant bubble-draft"
        data-testid="message-draft"
        data-role="assistant"
        aria-busy="true"
      >
        <header className="bubble-meta">
          <span className="bubble-speaker">{agentName}</span>
          <span className="muted">writing…</span>
        </header>
        <Markdown text={text} className="bubble-text" />
        <span className="caret" aria-hidden="true" />
      </article>
    </li>
  );
}
