export * from './types';
export * from './runner';
export * from './warm-start';
export * from './trial-log';
export * from './trial-counts';
