/**
 * Preloaded into the gateway with `NODE_OPTIONS=--import=…` by `npm run bench -- --profile` (Node 20 refuses
 * `--cpu-prof` in NODE_OPTIONS): records a CPU profile of the whole run and writes it to
 * $PRAKTOR_BENCH_PROFILE_DIR/gateway-<pid>.cpuprofile when the process exits. Open it in Chrome DevTools.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.PRAKTOR_BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // A session on the main thread answers synchronously, so this completes before the process ends.
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `gateway-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
