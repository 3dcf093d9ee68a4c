export * from './audit-event';
export * from './canonical-json';
export * from './event-hash';
export * from './event-id';
export * from './event-input';
export { eventJsonSchema, isValidEventShape } from './validation/event-schema';
export * from './filters';
export * from './catalog/action-entry';
export * from './validation/validation-problems';
