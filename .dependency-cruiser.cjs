/**
 * The architecture's import rules (docs/architecture.md), checked by `npm run lint`. Arrows point one way: channels
 * → router → orchestrator → runtimes, with the stores and the event bus below everyone, and the gateway's
 * composition root (gateway.ts, cli.ts) above everyone. Tests are leaves and are not checked.
 */
const room = (name) => `^packages/gateway/src/${name}/`;

/** A rule that `from` may not import `to`. */
function forbid(name, comment, from, to) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from, pathNot: '\\.test(-support)?\\.ts$' },
    to: { path: to },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A cycle makes two modules one: neither can be read, tested or changed alone.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    forbid(
      'protocol-is-the-base',
      'The contract depends on no package of ours.',
      '^packages/protocol/',
      '^packages/(gateway|runner|testkit|ui)/',
    ),
    forbid(
      'runner-knows-only-the-contract',
      'The runner lives in the sandbox: it shares the protocol, nothing else.',
      '^packages/runner/',
      '^packages/(gateway|testkit|ui)/',
    ),
    forbid(
      'ui-knows-only-the-contract',
      'Mission Control speaks the API, defined in protocol.',
      '^packages/ui/src/',
      '^packages/(gateway|runner|testkit)/',
    ),
    forbid(
      'product-never-imports-the-testkit',
      'Fakes are for tests.',
      '^packages/(gateway|runner|protocol|ui)/src/',
      '^packages/testkit/',
    ),
    forbid(
      'nothing-imports-the-composition-root',
      'gateway.ts builds everything; only the CLI starts it.',
      '^packages/gateway/src/(?!cli\\.ts$)',
      '^packages/gateway/src/gateway\\.ts$',
    ),
    forbid(
      'config-stands-alone',
      'Configuration is read first and needs no other room.',
      room('config'),
      room('(?!config/)[^/]+'),
    ),
    forbid(
      'speech-stands-alone',
      'Speech to text and text to speech are clients of endpoints and programs; they know only their settings.',
      room('speech'),
      room('(?!config/|speech/)[^/]+'),
    ),
    forbid(
      'events-below-rooms',
      'The event bus carries domain events (the store’s records among them); it knows no other room.',
      room('events'),
      room('(?!events/|store/)[^/]+'),
    ),
    forbid(
      'egress-stands-alone',
      'The sandbox proxies know nothing of agents beyond what they are given.',
      room('egress'),
      room('(channels|orchestrator|router|runtimes|scheduler|swarms|store|vault|web|config)'),
    ),
    forbid(
      'store-below-rooms',
      'The store keeps rows; it calls no room above it.',
      room('store'),
      room('(channels|orchestrator|router|runtimes|scheduler|swarms|vault|web|egress)'),
    ),
    forbid(
      'runtimes-below-orchestrator',
      'Runtimes start sandboxes; they never reach up.',
      room('runtimes'),
      room('(channels|orchestrator|router|scheduler|swarms|store|vault|web)'),
    ),
    forbid(
      'vault-below-orchestrator',
      'The vault resolves secrets; it never reaches up, except to the seams it fills: the environment and the masking an agent gets, and the sandbox file type.',
      room('vault'),
      '^packages/gateway/src/(channels|router|scheduler|swarms|web)/|^packages/gateway/src/orchestrator/(?!agent-env\\.ts$|redactor\\.ts$)|^packages/gateway/src/runtimes/(?!runtime\\.ts$)',
    ),
    forbid(
      'orchestrator-below-channels',
      'The orchestrator runs turns; channels and the web call it, never the reverse.',
      room('orchestrator'),
      room('(channels|router|scheduler|swarms|web)'),
    ),
    forbid(
      'router-below-channels',
      'The router decides who answers; channels call it.',
      room('router'),
      room('(channels|scheduler|swarms|web)'),
    ),
    forbid(
      'scheduler-below-channels',
      'The scheduler runs tasks through the orchestrator; it knows no channel.',
      room('scheduler'),
      room('(channels|web)'),
    ),
    forbid(
      'swarms-below-channels',
      'Swarms run their members through the orchestrator; they know no channel.',
      room('swarms'),
      room('(channels|web)'),
    ),
    forbid(
      'commands-below-channels',
      'Commands are the same in every channel: the channels call them, never the reverse.',
      room('commands'),
      room('(channels|web)'),
    ),
    forbid(
      'backup-below-channels',
      'Backups copy the store, the data directory and the volumes; they take no part in answering messages.',
      room('backup'),
      room('(channels|orchestrator|router|web|vault|commands)'),
    ),
    forbid(
      'doctor-only-from-the-top',
      'The doctor looks at every room; only the composition root and the CLI call it (the web gets it handed in).',
      '^packages/gateway/src/(?!gateway\\.ts$|cli\\.ts$|doctor/)',
      room('doctor'),
    ),
    forbid(
      'channels-below-web',
      'A channel delivers messages; Mission Control is the web room.',
      room('channels'),
      room('web'),
    ),
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.check.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
  },
};
