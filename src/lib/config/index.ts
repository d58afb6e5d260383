export * from './constants';
export * from './job';
export * from './training';
export * from './presets';
export { sameValues } from './same-values';
export { joinLink, readJoinLink } from './join-link';
export { natsServerError } from './nats-server';
