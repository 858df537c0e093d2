import type { AgentSummary, MessageItem, StatusResponse, TelegramStatus } from '@praktor/protocol';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useAgents, useDoctor, useStatus } from '../api/queries';
import { LastActive } from '../components/AgentCard';
import { ConfigWarnings } from '../components/ConfigWarnings';
import { DockerHostsCard } from '../components/DockerHostsCard';
import { ErrorNote } from '../components/ErrorNote';
import { HealthCard } from '../components/HealthCard';
import { PageHeader } from '../components/PageHeader';
import { SetupCard } from '../components/SetupCard';
import { StatusBadge } from '../components/StatusBadge';
import { channelLabel, excerpt, formatAgo, formatFullTime, formatUntil, formatUptime } from '../format';
import { useNow } from '../useNow';
import { usePageTitle } from '../usePageTitle';

function Stat({
  label,
  value,
  detail,
  testId,
  wideOnPhone = false,
  wide = false,
}: {
  label: string;
  value: ReactNode;
  detail?: ReactNode;
  testId: string;
  /** Takes a whole row of the two-column phone layout. */
  wideOnPhone?: boolean;
  /** Takes two columns on wider screens. */
  wide?: boolean;
}) {
  const classes = ['card', 'stat', wideOnPhone && 'stat-wide-phone', wide && 'stat-wide'].filter(Boolean);
  return (
    <div className={classes.join(' ')} data-testid={testId}>
      <dt className="stat-label">{label}</dt>
      <dd className="stat-value">{value}</dd>
      {detail && <dd className="stat-detail muted">{detail}</dd>}
    </div>
  );
}

/** The uptime, ticking every second from when the status was fetched (so neither side's clock matters). */
function Uptime({ seconds, fetchedAt }: { seconds: number; fetchedAt: number }) {
  const now = useNow(1000);
  return formatUptime(seconds + Math.max(0, (now - fetchedAt) / 1000));
}

const TELEGRAM_LABEL: Record<TelegramStatus['state'], string> = {
  off: 'Off',
  connecting: 'Connecting',
  connected: 'Connected',
  failed: 'Failed',
};

const TELEGRAM_PILL: Record<TelegramStatus['state'], string> = {
  off: 'pill-off',
  connecting: 'pill-warn',
  connected: 'pill-ok',
  failed: 'pill-danger',
};

/** Why Telegram is in its state: the bot's name, the last error and the next attempt, or what to fix. */
function TelegramDetail({ telegram }: { telegram: TelegramStatus }) {
  const now = useNow(1000);
  switch (telegram.state) {
    case 'off':
      return 'No bot token set';
    case 'connected':
      return `@${telegram.bot}`;
    case 'failed':
      return <span className="stat-alert">{telegram.error}</span>;
    case 'connecting':
      if (telegram.error === null) return 'Reaching Telegram…';
      return (
        <>
          {telegram.error}
          {telegram.retry_at !== null && ` · next attempt ${formatUntil(telegram.retry_at, now)}`}
        </>
      );
  }
}

function StatusCards({ status, fetchedAt }: { status: StatusResponse; fetchedAt: number }) {
  const { backlog } = status;
  return (
    <dl className="stats">
      <Stat label="Agents" value={status.agents_count} testId="stat-agents" />
      <Stat label="Active agents" value={status.active_agents} testId="stat-active" />
      <Stat
        label="Telegram"
        value={
          <span className={`pill ${TELEGRAM_PILL[status.telegram.state]}`} data-state={status.telegram.state}>
            {TELEGRAM_LABEL[status.telegram.state]}
          </span>
        }
        detail={<TelegramDetail telegram={status.telegram} />}
        testId="stat-telegram"
        wideOnPhone
      />
      <Stat
        label="Uptime"
        value={<Uptime seconds={status.uptime_seconds} fetchedAt={fetchedAt} />}
        testId="stat-uptime"
      />
      <Stat label="Version" value={<span className="mono">{status.version}</span>} testId="stat-version" />
      <Stat
        label="Backlog"
        value={`${backlog.inbox + backlog.outbox} waiting`}
        detail={
          <>
            {backlog.inbox} to answer · {backlog.outbox} to deliver
            {backlog.failed_deliveries > 0 && (
              <span className="stat-alert"> · {backlog.failed_deliveries} not delivered</span>
            )}
          </>
        }
        testId="stat-backlog"
        wideOnPhone
      />
      <Stat
        label="Runtime"
        value={status.runtime.name}
        detail={status.runtime.confinement}
        testId="stat-runtime"
        wideOnPhone
        wide
      />
    </dl>
  );
}

function AgentsOverview({ agents, now }: { agents: AgentSummary[]; now: number }) {
  return (
    <ul className="rows">
      {agents.map((a) => (
        <li key={a.id} className="row" data-testid="dashboard-agent" data-agent-id={a.id}>
          <Link to={`/agents/${encodeURIComponent(a.id)}`} className="row-title">
            {a.name}
          </Link>
          {a.default_agent && <span className="badge badge-accent">Default</span>}
          <span className="row-spacer" />
          <span className="muted row-detail">
            <LastActive at={a.last_active} now={now} />
          </span>
          <StatusBadge status={a.agent_status} />
        </li>
      ))}
    </ul>
  );
}

const ROLE_ICON = { user: '→', assistant: '←', system: '!' } as const;
const ROLE_LABEL = { user: 'To', assistant: 'From', system: 'Notice from' } as const;

function Activity({ messages, now }: { messages: MessageItem[]; now: number }) {
  if (messages.length === 0)
    return <p className="muted">Nothing yet. Messages to and from agents appear here.</p>;
  return (
    <ol className="rows activity" data-testid="recent-activity">
      {messages.map((m) => (
        <li key={m.id} className={`row activity-row activity-${m.role}`} data-testid="activity-item">
          <span className="activity-icon" aria-hidden="true">
            {ROLE_ICON[m.role]}
          </span>
          <div className="activity-body">
            <p className="activity-head">
              <span className="visually-hidden">{ROLE_LABEL[m.role]} </span>
              <Link to={`/conversations/${encodeURIComponent(m.agent_id ?? '')}`} className="row-title">
                {m.agent_id}
              </Link>
              <span className="channel-tag" data-channel={m.channel}>
                {channelLabel(m.channel)}
              </span>
              <time
                className="muted"
                dateTime={new Date(m.created_at).toISOString()}
                title={formatFullTime(m.created_at)}
              >
                {formatAgo(m.created_at, now)}
              </time>
            </p>
            <p className="activity-text">{excerpt(m.text)}</p>
          </div>
        </li>
      ))}
    </ol>
  );
}

/** The gateway at a glance: status, agents and recent messages, all live. */
export function DashboardPage() {
  const status = useStatus();
  const agents = useAgents();
  const doctor = useDoctor();
  const now = useNow(30_000);
  usePageTitle('Dashboard');
  return (
    <>
      <PageHeader title="Dashboard" subtitle="Your agents and what they are doing, live." />
      {status.isError && <ErrorNote error={status.error} prefix="Could not load the status" />}
      {status.data && <SetupCard checks={status.data.setup} />}
      {status.data && <ConfigWarnings warnings={status.data.config_warnings} />}
      {status.data ? (
        <StatusCards status={status.data} fetchedAt={status.dataUpdatedAt} />
      ) : (
        status.isPending && <p className="muted">Loading status…</p>
      )}
      <div className="dashboard-grid">
        <section className="card" aria-labelledby="dash-agents">
          <div className="card-head">
            <h2 id="dash-agents" className="card-title">
              Agents
            </h2>
            <Link to="/agents" className="card-link">
              Manage
            </Link>
          </div>
          {agents.isError && <ErrorNote error={agents.error} prefix="Could not load the agents" />}
          {agents.data && <AgentsOverview agents={agents.data} now={now} />}
        </section>
        <section className="card" aria-labelledby="dash-activity">
          <div className="card-head">
            <h2 id="dash-activity" className="card-title">
              Recent activity
            </h2>
            <Link to="/conversations" className="card-link">
              Conversations
            </Link>
          </div>
          {status.data && <Activity messages={status.data.recent_messages} now={now} />}
        </section>
      </div>
      {doctor.isError && <ErrorNote error={doctor.error} prefix="Could not check the setup's health" />}
      {doctor.data && <DockerHostsCard report={doctor.data} now={now} />}
      {doctor.data && <HealthCard report={doctor.data} />}
    </>
  );
}
