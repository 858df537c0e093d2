import { useConnection } from '../live/LiveProvider';

const TEXT = { open: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…' } as const;

/** Whether live updates are flowing: the WebSocket's state. */
export function ConnectionIndicator({ testId }: { testId?: string }) {
  const state = useConnection();
  return (
    <output className={`connection connection-${state}`} data-testid={testId} data-state={state}>
      <span className="status-dot" aria-hidden="true" />
      {TEXT[state]}
    </output>
  );
}
