import { Link } from 'react-router';
import { PageHeader } from '../components/PageHeader';
import { usePageTitle } from '../usePageTitle';

/** An address Mission Control has no page for. */
export function NotFoundPage() {
  usePageTitle('Page not found');
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        There is nothing here. <Link to="/">Go to the dashboard</Link>.
      </p>
    </>
  );
}
