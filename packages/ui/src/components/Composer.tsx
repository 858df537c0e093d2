import type { MessageItem } from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { api } from '../api/endpoints';
import { keys } from '../api/queries';
import { upsertMessage } from '../live/cache';
import { ErrorNote } from './ErrorNote';

/**
 * Where the user writes to an agent: Enter sends, Shift+Enter starts a new line. The sent message joins the
 * conversation from the server's reply (its later states arrive as live events).
 */
export function Composer({
  agentId,
  agentName,
  onSent,
}: {
  agentId: string;
  agentName: string;
  onSent: () => void;
}) {
  const client = useQueryClient();
  const [text, setText] = useState('');
  const field = useRef<HTMLTextAreaElement>(null);
  const fieldId = useId();
  const send = useMutation({
    mutationFn: (body: string) => api.sendMessage(agentId, body),
    onSuccess: ({ message }) => {
      client.setQueryData<MessageItem[]>(
        keys.messages(agentId),
        (list) => list && upsertMessage(list, message),
      );
      setText('');
      onSent();
    },
  });

  // The field is disabled while sending, which takes the focus away; give it back for the next message.
  const wasSending = useRef(false);
  useEffect(() => {
    if (wasSending.current && !send.isPending) field.current?.focus();
    wasSending.current = send.isPending;
  }, [send.isPending]);

  const submit = () => {
    if (text.trim() === '' || send.isPending) return;
    send.mutate(text);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit();
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      {send.isError && <ErrorNote error={send.error} prefix="Not sent" testId="composer-error" />}
      <div className="composer-row">
        <label htmlFor={fieldId} className="visually-hidden">
          Message {agentName}
        </label>
        <textarea
          id={fieldId}
          ref={field}
          className="input composer-input"
          data-testid="composer-input"
          rows={1}
          placeholder={`Message ${agentName}…`}
          value={text}
          disabled={send.isPending}
          onChange={(e) => {
            setText(e.target.value);
            if (send.isError) send.reset();
          }}
          onKeyDown={onKeyDown}
        />
        <button
          type="submit"
          className="button button-primary composer-send"
          data-testid="composer-send"
          disabled={send.isPending || text.trim() === ''}
        >
          {send.isPending ? 'Sending…' : 'Send'}
        </button>
      </div>
      <p className="composer-hint muted">Enter to send · Shift+Enter for a new line</p>
    </form>
  );
}
