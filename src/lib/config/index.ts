export * from './job';
export * from './training';
