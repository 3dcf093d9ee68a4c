export * from './app-config';
export * from './ingest-keys.parser';
export * from './retention.parser';
export * from './redis.parser';
export * from './load-config';
export * from './config.module';
