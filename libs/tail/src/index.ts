export * from './event-tail.reader';
export * from './write-fence';
export * from './tail.module';
