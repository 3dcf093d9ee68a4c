export * from './export-format';
export * from './export-files';
export * from './export-mappings';
export * from './export-queue';
export * from './export-queue.provider';
export * from './export-record';
export * from './export.repository';
export * from './export-slots';
