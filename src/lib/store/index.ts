export * from './store';
export * from './logs';
export * from './tile-cache';
