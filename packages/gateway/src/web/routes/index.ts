/**
 * Every route of the API, one resource per module, in the order the OpenAPI document lists them.
 */
import type { Route } from '../route.js';
import { agentRoutes } from './agents.js';
import { approvalRoutes } from './approvals.js';
import { authRoutes } from './auth.js';
import { configRoutes } from './config.js';
import { costRoutes } from './costs.js';
import { doctorRoutes } from './doctor.js';
import { egressRoutes } from './egress.js';
import { extensionRoutes } from './extensions.js';
import { healthRoutes } from './health.js';
import { memoryRoutes } from './memories.js';
import { messageRoutes } from './messages.js';
import { pairingRoutes } from './pairing.js';
import { secretRoutes } from './secrets.js';
import { statusRoutes } from './status.js';
import { swarmRoutes } from './swarms.js';
import { taskRoutes } from './tasks.js';
import { userProfileRoutes } from './user-profile.js';

/** The API's route table. */
export const routes: Route[] = [
  ...healthRoutes,
  ...authRoutes,
  ...statusRoutes,
  ...doctorRoutes,
  ...configRoutes,
  ...agentRoutes,
  ...extensionRoutes,
  ...messageRoutes,
  ...memoryRoutes,
  ...userProfileRoutes,
  ...secretRoutes,
  ...pairingRoutes,
  ...taskRoutes,
  ...egressRoutes,
  ...costRoutes,
  ...approvalRoutes,
  ...swarmRoutes,
];
