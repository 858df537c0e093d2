import { useStatus } from '../api/queries';
import { formatFullTime } from '../format';
import { Icon } from './Icon';

/**
 * Shown on every page while praktor.yaml has a problem: the gateway refused the file's last change and still runs
 * on the configuration it loaded before, so what the user sees in the file is not what is in force.
 */
export function ConfigProblem() {
  const status = useStatus();
  const config = status.data?.config;
  if (!config?.error) return null;
  return (
    <div className="banner banner-warn" role="alert" data-testid="config-problem">
      <span className="banner-icon" aria-hidden="true">
        <Icon name="key" size={20} />
      </span>
      <div className="banner-body">
        <p className="banner-title">praktor.yaml has a problem: its last change is not in force</p>
        <p>
          <code>{config.error.path}</code>: {config.error.message}
        </p>
        <p className="muted">
          Praktor keeps running on the configuration loaded at {formatFullTime(config.loaded_at)}
          {config.file ? ` from ${config.file}` : ''}. Fix the file and it is loaded again on its own.
        </p>
      </div>
    </div>
  );
}
