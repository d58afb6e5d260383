export * from './store';
export * from './logs';
