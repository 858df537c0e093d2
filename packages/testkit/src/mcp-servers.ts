/**
 * A real third-party MCP server for tests: `@modelcontextprotocol/server-memory` from npm, bundled into one file so
 * that a sandbox without npm (the Docker agent image has only node) runs it with `node` alone. Tests ship the file
 * as a skill's file and start it from the agent's skills folder.
 */
import { createRequire } from 'node:module';
import { build } from 'esbuild';

/** The skill that carries the bundle, and the file's name in it. */
export const MEMORY_SERVER_SKILL = 'mcp-memory';
export const MEMORY_SERVER_FILE = 'server.mjs';

/** Arguments of `node` that start the bundle from the agent's skills folder, wherever the runtime keeps it. */
export const MEMORY_SERVER_ARGS = [
  '-e',
  `import(process.env.CLAUDE_CONFIG_DIR + '/skills/${MEMORY_SERVER_SKILL}/${MEMORY_SERVER_FILE}')`,
];

/** The memory server from npm with its dependencies, as the text of one ES module. */
export async function bundledMemoryServer(): Promise<string> {
  const require = createRequire(import.meta.url);
  const result = await build({
    entryPoints: [require.resolve('@modelcontextprotocol/server-memory/dist/index.js')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'error',
    // The bundled CommonJS dependencies still call require().
    banner: {
      js: "import { createRequire as praktorRequire } from 'node:module'; const require = praktorRequire(import.meta.url);",
    },
  });
  const [file] = result.outputFiles;
  if (!file) throw new Error('esbuild produced no bundle of the memory MCP server');
  return file.text;
}
