export * from './action-catalog.repository';
export * from './catalog-mappings';
