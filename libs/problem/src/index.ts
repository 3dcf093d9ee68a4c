export * from './field-problem';
export * from './problem';
