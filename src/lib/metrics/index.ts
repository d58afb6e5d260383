export * from './definition';
export * from './engine';
export * from './parse';
export * from './capture';
export * from './probe';
