/** An error as the user reads it: the server's message (or the network failure), announced to screen readers. */
export function ErrorNote({ error, prefix, testId }: { error: Error; prefix?: string; testId?: string }) {
  return (
    <p className="error-note" role="alert" data-testid={testId}>
      {prefix ? `${prefix}: ` : ''}
      {error.message}
    </p>
  );
}
