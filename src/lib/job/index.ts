export * from './types';
export * from './runner';
export * from './warm-start';
