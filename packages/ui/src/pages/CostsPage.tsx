import type { BudgetItem, CostGrouping, CostTotals } from '@praktor/protocol';
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useBudgets, useCosts } from '../api/queries';
import { ErrorNote } from '../components/ErrorNote';
import { PageHeader } from '../components/PageHeader';
import { formatCost, formatCount, formatFullTime } from '../format';
import { usePageTitle } from '../usePageTitle';

const GROUPINGS: { value: CostGrouping; label: string; column: string }[] = [
  { value: 'agent', label: 'Per agent', column: 'Agent' },
  { value: 'day', label: 'Per day', column: 'Day' },
  { value: 'model', label: 'Per model', column: 'Model' },
];

/** A total as a card: USD, and the tokens behind it. */
function TotalCard({
  label,
  totals,
  testId,
}: {
  label: string;
  totals: CostTotals | undefined;
  testId: string;
}) {
  return (
    <div className="card cost-total" data-testid={testId}>
      <p className="muted">{label}</p>
      <p className="cost-total-usd">{totals ? formatCost(totals.cost_usd) : '…'}</p>
      {totals && (
        <p className="muted">
          {formatCount(totals.input_tokens + totals.output_tokens)} tokens · {formatCount(totals.runs)} runs
        </p>
      )}
    </div>
  );
}

/** A budget's use as a bar, with the numbers. */
function BudgetBar({ budget }: { budget: BudgetItem }) {
  const whose = budget.agent_id ?? 'All agents';
  return (
    <li className="budget" data-testid="budget" data-budget-id={budget.id}>
      <p>
        <strong>{whose}</strong> · {budget.period}: {formatCost(budget.spent_usd)} of{' '}
        {formatCost(budget.limit_usd)}
        <span className="muted"> · resets {formatFullTime(budget.resets_at)}</span>
      </p>
      <meter
        className="budget-bar"
        min={0}
        max={budget.limit_usd}
        high={budget.limit_usd * 0.8}
        optimum={0}
        value={Math.min(budget.spent_usd, budget.limit_usd)}
        aria-label={`${whose} ${budget.period} budget`}
      />
    </li>
  );
}

/** What the agents spent this month, per agent, day or model, with today's and this month's totals and budgets. */
export function CostsPage() {
  usePageTitle('Costs');
  const [group, setGroup] = useState<CostGrouping>('agent');
  const costs = useCosts(group);
  const budgets = useBudgets();
  const rows = costs.data?.groups ?? [];
  return (
    <div className="page">
      <PageHeader
        title="Costs"
        subtitle={
          costs.data ? `${costs.data.from} to ${costs.data.to} (${costs.data.timezone})` : 'This month'
        }
      />
      <div className="cost-totals cost-section">
        <TotalCard label="Today" totals={costs.data?.today} testId="cost-today" />
        <TotalCard label="This month" totals={costs.data?.month} testId="cost-month" />
      </div>
      {budgets.data && budgets.data.length > 0 && (
        <section className="card cost-section" aria-label="Budgets">
          <h2 className="card-title">Budgets</h2>
          <ul className="budgets">
            {budgets.data.map((b) => (
              <BudgetBar key={b.id} budget={b} />
            ))}
          </ul>
        </section>
      )}
      {budgets.isError && <ErrorNote error={budgets.error} prefix="Could not load the budgets" />}
      <section className="card cost-section" aria-label="Spend">
        <fieldset className="cost-groupings" aria-label="Group by">
          {GROUPINGS.map((g) => (
            <button
              key={g.value}
              type="button"
              className={`button button-small${group === g.value ? ' button-primary' : ''}`}
              aria-pressed={group === g.value}
              onClick={() => setGroup(g.value)}
            >
              {g.label}
            </button>
          ))}
        </fieldset>
        {costs.isError && <ErrorNote error={costs.error} prefix="Could not load the costs" />}
        {costs.isSuccess && rows.length === 0 && <p className="muted">Nothing spent in this period yet.</p>}
        {rows.length > 0 && (
          <div className="cost-chart" data-testid="cost-chart">
            <ResponsiveContainer width="100%" height={260}>
              <BarChart data={rows.map((r) => ({ key: r.key, usd: r.cost_usd }))}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="key" />
                <YAxis tickFormatter={(v: number) => formatCost(v)} width={80} />
                <Tooltip formatter={(v) => formatCost(Number(v))} />
                <Bar dataKey="usd" name="USD" fill="var(--accent, #6b8afd)" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        )}
        {rows.length > 0 && (
          <table className="cost-table" data-testid="cost-table">
            <thead>
              <tr>
                <th>{GROUPINGS.find((g) => g.value === group)?.column}</th>
                <th>USD</th>
                <th>Input</th>
                <th>Output</th>
                <th>Cache read</th>
                <th>Cache write</th>
                <th>Runs</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key} data-testid="cost-row" data-key={r.key}>
                  <td>{r.key}</td>
                  <td data-testid="cost-usd">{formatCost(r.cost_usd)}</td>
                  <td data-testid="cost-input">{formatCount(r.input_tokens)}</td>
                  <td>{formatCount(r.output_tokens)}</td>
                  <td>{formatCount(r.cache_read_tokens)}</td>
                  <td>{formatCount(r.cache_write_tokens)}</td>
                  <td>{formatCount(r.runs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
