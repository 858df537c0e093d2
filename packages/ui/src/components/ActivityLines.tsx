import type { ActivityItem } from '@praktor/protocol';
import { formatFullTime } from '../format';

/**
 * What the agent did while answering one message, one compact line per tool call (the tool and the gist of its
 * input, expandable to the whole input) or retried model API error. The gateway masked secret values in all of it.
 */
export function ActivityLines({ lines }: { lines: readonly ActivityItem[] }) {
  return (
    <li className="activity-row">
      <ul className="activity" data-testid="activity" aria-label="What the agent did">
        {lines.map((line) =>
          line.kind === 'tool' ? (
            <li key={line.id} className="activity-line" data-testid="activity-line" data-kind="tool">
              <details>
                <summary title={formatFullTime(line.created_at)}>
                  <span className="activity-tool">{line.tool}</span>
                  {line.summary !== '' && <code className="activity-summary">{line.summary}</code>}
                </summary>
                <pre className="activity-detail" data-testid="activity-detail">
                  {line.detail}
                </pre>
              </details>
            </li>
          ) : (
            <li
              key={line.id}
              className="activity-line activity-retry"
              data-testid="activity-line"
              data-kind="retry"
              title={formatFullTime(line.created_at)}
            >
              {line.summary}
            </li>
          ),
        )}
      </ul>
    </li>
  );
}
