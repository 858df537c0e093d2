export * from './model.js';
export * from './server.js';
