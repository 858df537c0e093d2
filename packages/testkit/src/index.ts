export * from './anthropic/index.js';
export * from './docker.js';
export * from './eventually.js';
export * from './praktor.js';
export * from './process.js';
export * from './requirements.js';
export * from './stack.js';
export * from './telegram/index.js';
