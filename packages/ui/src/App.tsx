import { BrowserRouter, Route, Routes } from 'react-router';
import { LoginPage } from './auth/LoginPage';
import { RequireAuth } from './auth/RequireAuth';
import { Layout } from './components/Layout';
import { LiveProvider } from './live/LiveProvider';
import { AgentDetailPage } from './pages/AgentDetailPage';
import { AgentsPage } from './pages/AgentsPage';
import { ConversationsPage } from './pages/ConversationsPage';
import { CostsPage } from './pages/CostsPage';
import { DashboardPage } from './pages/DashboardPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { PairingPage } from './pages/PairingPage';
import { SecretsPage } from './pages/SecretsPage';
import { SwarmsPage } from './pages/SwarmsPage';
import { TaskDetailPage } from './pages/TaskDetailPage';
import { TasksPage } from './pages/TasksPage';
import { UserPage } from './pages/UserPage';

/** Mission Control's pages; everything but the login page needs a session and the live connection. */
export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route
          element={
            <RequireAuth>
              <LiveProvider>
                <Layout />
              </LiveProvider>
            </RequireAuth>
          }
        >
          <Route index element={<DashboardPage />} />
          <Route path="agents" element={<AgentsPage />} />
          <Route path="agents/:id" element={<AgentDetailPage />} />
          <Route path="conversations" element={<ConversationsPage />} />
          <Route path="conversations/:agentId" element={<ConversationsPage />} />
          <Route path="tasks" element={<TasksPage />} />
          <Route path="tasks/:id" element={<TaskDetailPage />} />
          <Route path="swarms" element={<SwarmsPage />} />
          <Route path="costs" element={<CostsPage />} />
          <Route path="secrets" element={<SecretsPage />} />
          <Route path="user" element={<UserPage />} />
          <Route path="pairing" element={<PairingPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
