export * from './constants';
export * from './job';
export * from './training';
export * from './presets';
export { sameValues } from './same-values';
