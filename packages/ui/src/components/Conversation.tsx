import type { ActivityItem, AgentSummary, MessageItem } from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Fragment, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, PAGE_SIZE } from '../api/endpoints';
import { keys, useActivity, useMessages } from '../api/queries';
import { upsertMessage } from '../live/cache';
import { useDrafts } from '../live/LiveProvider';
import { ActivityLines } from './ActivityLines';
import { ApprovalRequests } from './ApprovalRequests';
import { ChatControls } from './ChatControls';
import { Composer } from './Composer';
import { ConversationSearch } from './ConversationSearch';
import { ErrorNote } from './ErrorNote';
import { Icon } from './Icon';
import { ConversationNote, DraftBubble, MessageBubble } from './MessageBubble';
import { StatusBadge } from './StatusBadge';

/** Within this many pixels of the end, the view counts as "at the newest" and follows new messages. */
const STICK_PX = 80;

/** Older pages of the conversation, fetched on request and merged into the cached list. */
function useOlderMessages(agentId: string, oldestId: number | undefined) {
  const client = useQueryClient();
  const [exhausted, setExhausted] = useState(false);
  const load = useMutation({
    mutationFn: () => api.messages(agentId, oldestId),
    onSuccess: (older) => {
      if (older.length < PAGE_SIZE) setExhausted(true);
      client.setQueryData<MessageItem[]>(keys.messages(agentId), (list) =>
        older.reduce(upsertMessage, list ?? []),
      );
    },
  });
  return { load, exhausted };
}

/** Activity lines by the message the agent was answering. */
function byMessage(lines: readonly ActivityItem[]): Map<number, ActivityItem[]> {
  const grouped = new Map<number, ActivityItem[]>();
  for (const line of lines) grouped.set(line.message_id, [...(grouped.get(line.message_id) ?? []), line]);
  return grouped;
}

/**
 * One agent's conversation: its history as bubbles, what the agent did under each question it worked on, the answer streaming in, a working indicator while the agent
 * is busy, and the composer. Follows the newest message unless the user has scrolled up to read.
 */
export function Conversation({ agent }: { agent: AgentSummary }) {
  const messages = useMessages(agent.id);
  const drafts = useDrafts(agent.id);
  const list = messages.data ?? [];
  const older = useOlderMessages(agent.id, list[0]?.id);
  const activity = useActivity(agent.id, messages.isSuccess ? (list[0]?.id ?? 0) : undefined);
  const activityOf = useMemo(() => byMessage(activity.data ?? []), [activity.data]);
  const activityCount = activity.data?.length ?? 0;
  const scroller = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  // When older messages are put above, the view must stay on what the user was reading.
  const heightBeforeOlder = useRef<number | null>(null);
  const [unseen, setUnseen] = useState(false);
  const shown = useRef({ count: 0, draftLength: 0 });

  const draftText = drafts.map((d) => d.text).join('');
  const answeredIds = useMemo(() => new Set(list.map((m) => m.in_reply_to)), [list]);
  const working = agent.agent_status === 'busy' && draftText === '';

  // biome-ignore lint/correctness/useExhaustiveDependencies: the working indicator or an activity line appearing also grows the list
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (heightBeforeOlder.current !== null) {
      el.scrollTop += el.scrollHeight - heightBeforeOlder.current;
      heightBeforeOlder.current = null;
    } else if (following.current) {
      el.scrollTop = el.scrollHeight;
    } else if (list.length > shown.current.count || draftText.length > shown.current.draftLength) {
      setUnseen(true);
    }
    shown.current = { count: list.length, draftLength: draftText.length };
  }, [list, draftText, working, activityCount]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    following.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
    if (following.current) setUnseen(false);
  };
  const jumpToNewest = () => {
    following.current = true;
    setUnseen(false);
    scroller.current?.scrollTo({ top: scroller.current.scrollHeight, behavior: 'smooth' });
  };
  const loadOlder = () => {
    heightBeforeOlder.current = scroller.current?.scrollHeight ?? null;
    older.load.mutate();
  };

  const hasOlder = !older.exhausted && list.length >= PAGE_SIZE;

  return (
    <section className="chat" aria-labelledby="chat-title">
      <header className="chat-header">
        <Link to="/conversations" className="back-link" aria-label="All conversations">
          <Icon name="back" size={20} />
        </Link>
        <div className="chat-title-group">
          <h2 id="chat-title" className="chat-title">
            {agent.name}
          </h2>
          <StatusBadge status={agent.agent_status} />
        </div>
        <div className="chat-tools">
          <ChatControls agent={agent} messages={list} />
          <Link
            to={`/agents/${encodeURIComponent(agent.id)}`}
            className="button button-small"
            aria-label={`Details of ${agent.name}`}
          >
            <span className="long-label">Agent details</span>
            <span className="short-label">Details</span>
          </Link>
        </div>
      </header>
      <ConversationSearch agentId={agent.id} agentName={agent.name} />

      <div className="chat-scroll" ref={scroller} onScroll={onScroll} data-testid="chat-scroll">
        {hasOlder && (
          <div className="chat-older">
            <button
              type="button"
              className="button button-small"
              disabled={older.load.isPending}
              onClick={loadOlder}
            >
              {older.load.isPending ? 'Loading…' : 'Load earlier messages'}
            </button>
          </div>
        )}
        {older.load.isError && (
          <ErrorNote error={older.load.error} prefix="Could not load earlier messages" />
        )}
        {messages.isPending && <p className="muted chat-empty">Loading the conversation…</p>}
        {messages.isError && <ErrorNote error={messages.error} prefix="Could not load the conversation" />}
        {messages.isSuccess && list.length === 0 && drafts.length === 0 && (
          <p className="muted chat-empty">No messages yet. Say hello to {agent.name}.</p>
        )}
        <ol className="messages" aria-label={`Conversation with ${agent.name}`} aria-live="polite">
          {list.map((m) => {
            if (m.channel === 'system') return <ConversationNote key={m.id} message={m} />;
            const lines = activityOf.get(m.id);
            return (
              <Fragment key={m.id}>
                <MessageBubble message={m} agentName={agent.name} answered={answeredIds.has(m.id)} />
                {lines && <ActivityLines lines={lines} />}
              </Fragment>
            );
          })}
          {drafts.map((d) => (
            <DraftBubble key={d.messageId} text={d.text} agentName={agent.name} />
          ))}
        </ol>
        {working && (
          <p className="typing" role="status" data-testid="typing-indicator">
            <span className="typing-dots" aria-hidden="true">
              <span />
              <span />
              <span />
            </span>
            {agent.name} is working…
          </p>
        )}
      </div>
      {unseen && (
        <button type="button" className="button button-small jump-newest" onClick={jumpToNewest}>
          New messages ↓
        </button>
      )}
      <ApprovalRequests agentId={agent.id} />
      <Composer
        agentId={agent.id}
        agentName={agent.name}
        onSent={() => {
          following.current = true;
        }}
      />
    </section>
  );
}
