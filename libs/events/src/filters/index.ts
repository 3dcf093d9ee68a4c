export * from './event-filters';
export * from './parse-event-filters';
export * from './text-query.parser';
