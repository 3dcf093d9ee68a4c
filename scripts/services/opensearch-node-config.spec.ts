import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeLayout, writeNodeConfig } from './opensearch-node-config';

function configFor(cluster?: Parameters<typeof writeNodeConfig>[1]['cluster']): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'node-config-'));
  const distribution = path.join(root, 'dist');
  fs.mkdirSync(path.join(distribution, 'config'), { recursive: true });
  fs.writeFileSync(path.join(distribution, 'config', 'jvm.options'), '-Xlog:gc:file=logs/gc.log\n');
  const layout = nodeLayout(path.join(root, 'services'), '3.4.0');
  writeNodeConfig(layout, {
    distributionHome: distribution,
    httpPort: 9212,
    transportPort: 9312,
    ismAvailable: false,
    cluster,
  });
  const yml = fs.readFileSync(path.join(layout.configDir, 'opensearch.yml'), 'utf8');
  fs.rmSync(root, { recursive: true, force: true });
  return yml;
}

describe('opensearch.yml', () => {
  it('a single node discovers nobody', () => {
    const yml = configFor();
    expect(yml).toContain('discovery.type: single-node');
    expect(yml).toContain('cluster.name: auditlog-dev');
  });

  it('a cluster member finds the others and bootstraps with all of them', () => {
    const yml = configFor({
      clusterName: 'auditlog-cluster',
      nodeName: 'node-2',
      nodeNames: ['node-1', 'node-2', 'node-3'],
      seedHosts: ['127.0.0.1:9311', '127.0.0.1:9312', '127.0.0.1:9313'],
    });
    expect(yml).not.toContain('discovery.type');
    expect(yml).toContain('cluster.name: auditlog-cluster');
    expect(yml).toContain('node.name: node-2');
    expect(yml).toContain(
      'discovery.seed_hosts: ["127.0.0.1:9311", "127.0.0.1:9312", "127.0.0.1:9313"]',
    );
    expect(yml).toContain('cluster.initial_cluster_manager_nodes: ["node-1", "node-2", "node-3"]');
    expect(yml).toContain('http.port: 9212');
    expect(yml).toContain('transport.port: 9312');
  });
});
