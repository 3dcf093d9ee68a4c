export * from './digest.repository';
