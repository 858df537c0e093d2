/**
 * The live side of the app: one WebSocket for the whole session, its events applied to the query cache, the
 * answers being streamed, and the gateway's error announcements, offered to components through hooks.
 */
import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';
import { keys } from '../api/queries';
import { applyEvent, coalesce, type LiveTargets, resyncAfterGap } from './cache';
import { type Draft, DraftStore } from './drafts';
import { type ConnectionState, liveUrl, openLiveSocket } from './socket';

/** Something the user should know about: an error the gateway announced, or a live update that made no sense. */
export interface Notice {
  id: number;
  text: string;
}

interface LiveValue {
  connection: ConnectionState;
  drafts: DraftStore;
  notices: Notice[];
  dismiss(id: number): void;
}

const LiveContext = createContext<LiveValue | null>(null);

/** Notices disappear on their own after this long; the conversation keeps a record of agent failures anyway. */
const NOTICE_MS = 12_000;
const MAX_NOTICES = 4;
/** However busy the gateway, the dashboard asks for its status at most this often. */
const STATUS_REFRESH_MS = 1_000;

let nextNoticeId = 1;

/** Connects to `/api/ws` while mounted (mount it only once signed in) and keeps the cache live. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [drafts] = useState(() => new DraftStore());
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [notices, setNotices] = useState<Notice[]>([]);

  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  const notify = useCallback(
    (text: string) => {
      const id = nextNoticeId++;
      setNotices((list) => [...list, { id, text }].slice(-MAX_NOTICES));
      setTimeout(() => dismiss(id), NOTICE_MS);
    },
    [dismiss],
  );

  useEffect(() => {
    const refreshStatus = coalesce(
      () => void client.invalidateQueries({ queryKey: keys.status }),
      STATUS_REFRESH_MS,
    );
    const targets: LiveTargets = {
      client,
      drafts,
      refreshStatus,
      showError: (message, agentId) => notify(agentId ? `${agentId}: ${message}` : message),
    };
    const close = openLiveSocket(liveUrl(window.location), {
      onEvent: (event) => applyEvent(targets, event),
      onState: setConnection,
      onReopen: () => resyncAfterGap(targets),
      onConnectFailed: () => void client.invalidateQueries({ queryKey: keys.auth }),
      onInvalid: (problem) => notify(`Ignored a live update the gateway sent (${problem}).`),
    });
    return () => {
      close();
      refreshStatus.cancel();
    };
  }, [client, drafts, notify]);

  const value = useMemo(
    () => ({ connection, drafts, notices, dismiss }),
    [connection, drafts, notices, dismiss],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

function useLive(): LiveValue {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive needs a <LiveProvider> above it');
  return live;
}

/** The WebSocket's state, for the connection indicator. */
export function useConnection(): ConnectionState {
  return useLive().connection;
}

/** Errors to show, and how to dismiss one. */
export function useNotices(): { notices: Notice[]; dismiss(id: number): void } {
  const { notices, dismiss } = useLive();
  return { notices, dismiss };
}

/** The answers an agent is writing right now, oldest question first. */
export function useDrafts(agentId: string): Draft[] {
  const { drafts } = useLive();
  const all = useSyncExternalStore(drafts.subscribe, drafts.snapshot);
  return useMemo(
    () => [...all.values()].filter((d) => d.agentId === agentId).sort((a, b) => a.messageId - b.messageId),
    [all, agentId],
  );
}
