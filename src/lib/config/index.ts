export * from './constants';
export * from './job';
export * from './training';
export * from './presets';
export { sameValues } from './same-values';
export { jobLink, joinLink, readJobLink, readJoinLink, type JobLinkRole } from './join-link';
export { natsServerError } from './nats-server';
