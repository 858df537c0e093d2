import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { setUnauthorizedHandler } from './api/client';
import { createQueryClient, keys } from './api/queries';
import { applyTheme, initialTheme } from './theme/theme';
import './styles.css';

applyTheme(initialTheme());

const client = createQueryClient();
// A 401 from any call means the session is gone: the route guard sees this and shows the login page.
setUnauthorizedHandler(() => client.setQueryData(keys.auth, 'required'));

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
