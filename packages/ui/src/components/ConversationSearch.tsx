import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/endpoints';
import { excerpt, formatFullTime } from '../format';
import { ErrorNote } from './ErrorNote';

/** A search box over the agent's whole stored conversation (also from before a reset), best matches first. */
export function ConversationSearch({ agentId, agentName }: { agentId: string; agentName: string }) {
  const [query, setQuery] = useState('');
  const q = query.trim();
  const results = useQuery({
    queryKey: ['message-search', agentId, q],
    queryFn: () => api.searchMessages(agentId, q),
    enabled: q !== '',
    placeholderData: (previous) => previous,
  });
  return (
    <div className="conv-search">
      <input
        className="input"
        type="search"
        placeholder="Search this conversation"
        aria-label={`Search the conversation with ${agentName}`}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        data-testid="conversation-search"
      />
      {q !== '' && (
        <div className="conv-search-results" data-testid="conversation-search-results">
          {results.isError && <ErrorNote error={results.error} prefix="Could not search" />}
          {results.data && results.data.length === 0 && <p className="muted">Nothing found.</p>}
          <ol>
            {results.data?.map((m) => (
              <li key={m.id} data-testid="conversation-search-result">
                <span className="muted">
                  {m.role === 'user' ? 'You' : agentName} · {formatFullTime(m.created_at)}
                </span>
                <p>{excerpt(m.text, 240)}</p>
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}
