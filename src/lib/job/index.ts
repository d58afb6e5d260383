export * from './types';
export * from './runner';
