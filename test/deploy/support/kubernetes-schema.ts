/** A rendered Kubernetes object, as far as the tests look into it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

interface Model {
  validate(): void;
}

/**
 * Validates an object against the Kubernetes OpenAPI schema bundled in kubernetes-models
 * (offline, ajv). Throws with the schema errors when it does not conform.
 */
export function validateKubernetesObject(object: KubeObject): void {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : [undefined, object.apiVersion];
  const modulePath = ['kubernetes-models', group, version, object.kind].filter(Boolean).join('/');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const models = require(modulePath) as Record<string, new (data: unknown) => Model>;
  const Model = models[object.kind];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${object.kind}/${object.metadata.name}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
