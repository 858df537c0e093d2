import type { ActivityItem } from '@praktor/protocol';
import { formatFullTime } from '../format';

/**
 * What the agent did while answering one message, one compact line per tool call (the tool and the gist of its
 * input, expandable to the whole input) or retried model API error. The gateway masked secret values in all of it.
 */
export function ActivityLines({ lines }: { lines: readonly ActivityItem[] }) {
  return (
    <li className="tool-activity-row">
      <ul className="tool-activity" data-testid="activity" aria-label="What the agent did">
        {lines.map((line) =>
          line.kind === 'tool' ? (
            <li key={line.id} className="tool-activity-line" data-testid="activity-line" data-kind="tool">
              <details>
                <summary title={formatFullTime(line.created_at)}>
                  <span className="tool-activity-tool">{line.tool}</span>
                  {line.summary !== '' && <code className="tool-activity-summary">{line.summary}</code>}
                </summary>
                <pre className="tool-activity-detail" data-testid="activity-detail">
                  {line.detail}
                </pre>
              </details>
            </li>
          ) : (
            <li
              key={line.id}
              className="tool-activity-line tool-activity-retry"
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
