export * from './definition';
export * from './parse';
