/** One dependency the readiness endpoint checks; `check` rejects when it is not usable. */
export interface ReadinessProbe {
  readonly name: string;
  check(): Promise<void>;
}

export const READINESS_PROBES = Symbol('READINESS_PROBES');
