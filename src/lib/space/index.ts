export * from './types';
export * from './scale';
export * from './unit';
export * from './sample';
export * from './validate';
export * from './encode';
export * from './check-params';
export * from './parse';
