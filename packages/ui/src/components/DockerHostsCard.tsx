import {
  type DockerHostReading,
  type DoctorCheck,
  type DoctorReport,
  formatBytes,
  type HostAgent,
  type HostLoad,
} from '@praktor/protocol';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { formatAgo, formatFullTime, formatTime } from '../format';

/** A host's check with its reading; only the checks of `docker.hosts` carry one. */
type HostCheck = DoctorCheck & { host: DockerHostReading };

/**
 * The Docker hosts of `docker.hosts`, one card each: whether it answers (and why not), its engine, clock and
 * images, the agents pinned or placed there and which run, and what the installation's containers there use.
 * Read from the doctor's checks, so it refreshes with the Health panel. Nothing shows when no host is configured:
 * then every agent is on the local daemon, which the Health panel's Docker check already covers.
 */
export function DockerHostsCard({ report, now }: { report: DoctorReport; now: number }) {
  const hosts = report.checks.filter((check): check is HostCheck => check.host !== undefined);
  if (hosts.length === 0) return null;
  return (
    <section className="card docker-hosts" aria-labelledby="hosts-title" data-testid="docker-hosts">
      <h2 id="hosts-title" className="card-title">
        Docker hosts
      </h2>
      <ul className="hosts">
        {hosts.map((check) => (
          <HostItem key={check.id} check={check} now={now} />
        ))}
      </ul>
    </section>
  );
}

function HostItem({ check, now }: { check: HostCheck; now: number }) {
  const { host, load } = check;
  const reachable = host.problem === null;
  return (
    <li
      className="host"
      data-testid="docker-host"
      data-host={host.name}
      data-reachable={reachable}
      data-status={check.status}
    >
      <p className="host-head">
        <strong>{host.name}</strong>
        <span className="row-spacer" />
        <span className={`pill ${reachable ? 'pill-ok' : 'pill-danger'}`}>
          {reachable ? 'Reachable' : 'Unreachable'}
        </span>
      </p>
      <p className="mono muted host-url">{host.url}</p>
      {check.status !== 'ok' && (
        <div className="host-problem" data-testid="host-problem">
          <p className="stat-alert">{reachable ? check.detail : host.problem}</p>
          {check.fix && <p className="setup-fix">To fix: {check.fix}.</p>}
        </div>
      )}
      <dl className="host-facts">
        {reachable && (
          <>
            <Fact label="Engine" testId="host-engine">
              Docker {host.version ?? '?'}
              {host.cpus !== null && ` · ${host.cpus} CPUs`}
              {host.memory_total_bytes !== null && ` · ${formatBytes(host.memory_total_bytes)}`}
            </Fact>
            <Fact label="Clock" testId="host-clock">
              {describeSkew(host.clock_skew_s)}
            </Fact>
          </>
        )}
        <Fact label={host.images.length === 1 ? 'Image' : 'Images'} testId="host-images">
          <ul className="host-list">
            {host.images.map((image) => (
              <li key={image.name} data-testid="host-image" data-present={image.present}>
                <span className="mono">{image.name}</span>{' '}
                <span className={image.present === false ? 'stat-alert' : 'muted'}>
                  {image.present === null ? 'not checked' : image.present ? 'present' : 'missing'}
                </span>
              </li>
            ))}
          </ul>
        </Fact>
        <Fact label="Agents" testId="host-agents">
          {host.agents.length === 0 ? (
            <span className="muted">None pinned or placed here yet</span>
          ) : (
            <ul className="host-list">
              {host.agents.map((agent) => (
                <AgentItem key={agent.id} agent={agent} reachable={reachable} />
              ))}
            </ul>
          )}
        </Fact>
        {reachable && <LoadFacts host={host} load={load} />}
      </dl>
      <p className="muted host-read">
        Read at{' '}
        <time dateTime={new Date(host.read_at).toISOString()} title={formatFullTime(host.read_at)}>
          {formatTime(host.read_at, now)}
        </time>{' '}
        ({formatAgo(host.read_at, now)})
      </p>
    </li>
  );
}

function Fact({ label, testId, children }: { label: string; testId: string; children: ReactNode }) {
  return (
    <div className="host-fact" data-testid={testId}>
      <dt className="muted">{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** "in step (within 1 s)", "75 s behind this machine", "unknown". */
function describeSkew(skew: number | null): string {
  if (skew === null) return 'unknown';
  if (Math.abs(skew) <= 1) return 'in step (within 1 s)';
  return `${Math.abs(skew)} s ${skew > 0 ? 'behind' : 'ahead of'} this machine`;
}

function AgentItem({ agent, reachable }: { agent: HostAgent; reachable: boolean }) {
  const how = agent.pinned ? 'Pinned' : agent.placed ? 'Placed' : null;
  return (
    <li className="host-agent" data-testid="host-agent" data-agent-id={agent.id} data-running={agent.running}>
      <Link to={`/agents/${encodeURIComponent(agent.id)}`} className="row-title">
        {agent.id}
      </Link>
      {how && (
        <span
          className={`badge${agent.pinned ? ' badge-accent' : ''}`}
          title={agent.pinned ? 'agents.<id>.host names this host' : 'its memory and conversation are here'}
        >
          {how}
        </span>
      )}
      {agent.running ? (
        <span className="badge status status-idle">
          <span className="status-dot" aria-hidden="true" />
          Running
        </span>
      ) : (
        <span className="muted">{reachable ? 'not running' : 'cannot start'}</span>
      )}
    </li>
  );
}

/** Memory and CPU in use, as values and as bars against what the host has. */
function LoadFacts({ host, load }: { host: DockerHostReading; load: HostLoad | undefined }) {
  if (load === undefined) {
    return (
      <Fact label="Use" testId="host-load">
        <span className="muted">Could not be read</span>
      </Fact>
    );
  }
  const unread =
    load.unread > 0 ? ` · ${load.unread} container${load.unread === 1 ? '' : 's'} not read in time` : '';
  const cpuMax = host.cpus === null ? null : host.cpus * 100;
  return (
    <>
      <Fact label="Memory" testId="host-memory">
        {formatBytes(load.memory_bytes)}
        {host.memory_total_bytes !== null && ` of ${formatBytes(host.memory_total_bytes)}`}
        <span className="muted">
          {' '}
          · {load.containers} container{load.containers === 1 ? '' : 's'}
          {unread}
        </span>
        {host.memory_total_bytes !== null && (
          <UseBar value={load.memory_bytes} max={host.memory_total_bytes} label={`${host.name} memory`} />
        )}
      </Fact>
      <Fact label="CPU" testId="host-cpu">
        {load.cpu_percent}%{host.cpus !== null && ` of ${host.cpus * 100}%`}
        {cpuMax !== null && <UseBar value={load.cpu_percent} max={cpuMax} label={`${host.name} CPU`} />}
      </Fact>
    </>
  );
}

/** A small bar like the Costs page's budgets: amber from 80 % up. */
function UseBar({ value, max, label }: { value: number; max: number; label: string }) {
  return (
    <meter
      className="budget-bar host-bar"
      min={0}
      max={max}
      high={max * 0.8}
      optimum={0}
      value={Math.min(value, max)}
      aria-label={label}
    />
  );
}
