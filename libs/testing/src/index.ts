export * from './test-env';
export * from './tokens';
export * from './apps';
export * from './opensearch';
export * from './storage-fixtures';
export * from './hostile-text';
export * from './app-process';
export * from './browser';
