// Stages an image's app — this installation's compiled packages with their production dependencies — into
// DIR/node_modules, for the Dockerfiles' from-source stages: node images/stage.mjs agent|gateway DIR
import { stageImageContext } from '../packages/gateway/dist/runtimes/agent-image.js';

const [kind, dir] = process.argv.slice(2);
if ((kind !== 'agent' && kind !== 'gateway') || dir === undefined) {
  console.error('usage: node images/stage.mjs agent|gateway DIR');
  process.exit(2);
}
stageImageContext(kind, dir, 'from-source');
