/**
 * The gateway at a glance, for Mission Control's dashboard.
 */
import { StatusResponse } from '@praktor/protocol';
import { type Route, route } from '../route.js';
import { messageItems } from '../views.js';

/** The status route. */
export const statusRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/status',
    summary: 'The gateway at a glance: version, uptime, agents, channels and the latest messages.',
    response: StatusResponse,
    handle(_input, deps) {
      const ids = Object.keys(deps.config().agents);
      const backlog = deps.store.messages.backlog();
      const defaultChat = deps.tasks.defaultChat();
      return {
        status: 'ok',
        version: deps.version,
        started_at: deps.startedAt,
        uptime_seconds: Math.floor((Date.now() - deps.startedAt) / 1000),
        agents_count: ids.length,
        active_agents: ids.filter((id) => deps.orchestrator.status(id) !== 'stopped').length,
        telegram: deps.telegram(),
        runtime: deps.runtime,
        scheduler: {
          timezone: deps.config().scheduler.timezone,
          default_chat: { channel: defaultChat.channel, chat_id: defaultChat.chatId },
        },
        backlog: {
          inbox: backlog.inbox,
          outbox: backlog.outbox,
          failed_deliveries: backlog.failedDeliveries,
        },
        recent_messages: messageItems(deps.store.messages.latest(10), deps.store),
        setup: deps.setup(),
        vault: { locked: !deps.vault.hasPassphrase },
        config_warnings: [...deps.configWarnings],
        config: deps.configStatus(),
      };
    },
  }),
];
