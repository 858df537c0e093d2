import { type ChatFile, formatBytes, MAX_CHAT_FILE_BYTES, type MessageItem } from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  type DragEvent,
  type FormEvent,
  type KeyboardEvent,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { api } from '../api/endpoints';
import { keys } from '../api/queries';
import { bytesToBase64 } from '../base64';
import { upsertMessage } from '../live/cache';
import { ErrorNote } from './ErrorNote';
import { Icon } from './Icon';

/** A file chosen to go with the next message, read into memory. */
interface Attached {
  file: ChatFile;
  size: number;
}

/**
 * Where the user writes to an agent: Enter sends, Shift+Enter starts a new line; a file goes with the message, chosen
 * with the attach button or dropped on the box. The sent message joins the conversation from the server's reply (its
 * later states arrive as live events).
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
  const [attached, setAttached] = useState<Attached | null>(null);
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const fieldId = useId();
  const send = useMutation({
    mutationFn: (body: { text: string; files: ChatFile[] }) => api.sendMessage(agentId, body),
    onSuccess: ({ message }) => {
      client.setQueryData<MessageItem[]>(
        keys.messages(agentId),
        (list) => list && upsertMessage(list, message),
      );
      setText('');
      setAttached(null);
      onSent();
    },
  });

  const attach = async (chosen: File | undefined) => {
    if (!chosen) return;
    setFileProblem(null);
    if (chosen.size > MAX_CHAT_FILE_BYTES) {
      setFileProblem(
        `${chosen.name} is ${formatBytes(chosen.size)}; a file may be at most ${formatBytes(MAX_CHAT_FILE_BYTES)}.`,
      );
      return;
    }
    const bytes = new Uint8Array(await chosen.arrayBuffer());
    const file: ChatFile = {
      name: chosen.name,
      mime_type: /^[\w.+-]+\/[\w.+-]+$/.test(chosen.type) ? chosen.type : 'application/octet-stream',
      base64: bytesToBase64(bytes),
    };
    setAttached({ file, size: bytes.length });
    field.current?.focus();
  };

  // The field is disabled while sending, which takes the focus away; give it back for the next message.
  const wasSending = useRef(false);
  useEffect(() => {
    if (wasSending.current && !send.isPending) field.current?.focus();
    wasSending.current = send.isPending;
  }, [send.isPending]);

  const empty = text.trim() === '' && attached === null;
  const submit = () => {
    if (empty || send.isPending) return;
    send.mutate({ text, files: attached ? [attached.file] : [] });
  };
  const onDragOver = (e: DragEvent) => {
    if (!e.dataTransfer.types.includes('Files')) return;
    e.preventDefault();
    setDragging(true);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    void attach(e.dataTransfer.files[0]);
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
    <form
      className={dragging ? 'composer composer-dragging' : 'composer'}
      onSubmit={onSubmit}
      onDragOver={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="composer"
    >
      {send.isError && <ErrorNote error={send.error} prefix="Not sent" testId="composer-error" />}
      {fileProblem && (
        <p className="error-note" role="alert" data-testid="composer-file-problem">
          {fileProblem}
        </p>
      )}
      {attached && (
        <div className="composer-attachment" data-testid="composer-attachment">
          <Icon name="file" size={16} />
          <span className="composer-attachment-name">{attached.file.name}</span>
          <span className="muted">{formatBytes(attached.size)}</span>
          <button
            type="button"
            className="button button-small"
            aria-label={`Remove ${attached.file.name}`}
            onClick={() => setAttached(null)}
            disabled={send.isPending}
          >
            <Icon name="close" size={14} />
          </button>
        </div>
      )}
      <div className="composer-row">
        <input
          ref={picker}
          type="file"
          className="visually-hidden"
          tabIndex={-1}
          data-testid="composer-file"
          onChange={(e) => {
            void attach(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
        <button
          type="button"
          className="button composer-attach"
          aria-label="Attach a file"
          title="Attach a file (or drop one here)"
          data-testid="composer-attach"
          disabled={send.isPending}
          onClick={() => picker.current?.click()}
        >
          <Icon name="upload" />
        </button>
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
          disabled={send.isPending || empty}
        >
          {send.isPending ? 'Sending…' : 'Send'}
        </button>
      </div>
      <p className="composer-hint muted">
        Enter to send · Shift+Enter for a new line · drop a file to attach it
      </p>
    </form>
  );
}
