export * from './destination';
export * from './destination-config';
