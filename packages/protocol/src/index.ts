export * from './api.js';
export * from './errors.js';
export * from './events.js';
export * from './jsonl.js';
export * from './link.js';
export * from './secrets.js';
export * from './tasks.js';
export * from './templates.js';
