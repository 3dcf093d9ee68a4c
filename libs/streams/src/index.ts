export * from './stream';
export * from './stored-stream';
export * from './secret-box';
export * from './stream-mappings';
export * from './stream.repository';
export * from './stream-test-queue';
export * from './stream-lifecycle';
