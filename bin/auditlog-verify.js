#!/usr/bin/env node
// Runs the offline verifier: the compiled build when present, else the TypeScript source.
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const built = path.join(root, 'dist', 'scripts', 'verify', 'cli.js');
let cli;
if (existsSync(built)) {
  cli = require(built);
} else {
  process.env.TSX_TSCONFIG_PATH = path.join(root, 'tsconfig.json');
  require('tsx/cjs');
  cli = require(path.join(root, 'scripts', 'verify', 'cli.ts'));
}
process.exitCode = cli.main(process.argv.slice(2));
