import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, ServerConfiguration, VersionApi, createConfiguration, type Configuration, type Middleware } from '@kubernetes/client-node';
import { InfraError, errorMessage } from '../../errors.ts';

/**
 * Every request to the API server is bounded: a hung apiserver fails the call after this long
 * instead of hanging `run`, `down` and `prune` forever. (Exec, logs and port-forwards are streams
 * of their own, bounded by their callers.)
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/** Gives each request a deadline unless its caller set a signal of its own. */
export function requestTimeout(timeoutMs: number): Middleware {
  return {
    pre: async (context) => {
      if (!context.getSignal()) context.setSignal(AbortSignal.timeout(timeoutMs));
      return context;
    },
    post: async (response) => response,
  };
}

/** An API client of the kubeconfig's current cluster, as KubeConfig.makeApiClient makes one, with the request deadline. */
function apiClient<T>(kc: KubeConfig, type: new (config: Configuration) => T, timeoutMs: number): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new InfraError('the kubeconfig names no current cluster: set its current-context');
  return new type(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: kc }, promiseMiddleware: [requestTimeout(timeoutMs)] }));
}

/** The API groups gategrid uses, from one kubeconfig. client-node only: no kubectl. */
export class KubeApi {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly batch: BatchV1Api;

  constructor(kc: KubeConfig, timeoutMs = REQUEST_TIMEOUT_MS) {
    this.kc = kc;
    this.core = apiClient(kc, CoreV1Api, timeoutMs);
    this.apps = apiClient(kc, AppsV1Api, timeoutMs);
    this.batch = apiClient(kc, BatchV1Api, timeoutMs);
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '(no cluster in the kubeconfig)';
  }

  /** The server's version, or an InfraError saying which cluster does not answer. */
  async version(timeoutMs = 10_000): Promise<string> {
    const api = apiClient(this.kc, VersionApi, timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    try {
      const info = await Promise.race([
        api.getCode(),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs); }),
      ]);
      return info.gitVersion;
    } catch (cause) {
      throw new InfraError(`the Kubernetes cluster at ${this.server} (context ${this.kc.getCurrentContext()}) does not answer: ${errorMessage(cause)}`, { cause });
    } finally {
      clearTimeout(timer);
    }
  }
}

export function loadKubeConfig(file: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (cause) {
    throw new InfraError(`cannot read the kubeconfig ${file}: ${errorMessage(cause)}`, { cause });
  }
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) throw new InfraError(`${file} has no context "${context}" (it has: ${kc.getContexts().map((c) => c.name).join(', ')})`);
    kc.setCurrentContext(context);
  }
  return kc;
}

export function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusCode(error) === 404;
}

/** An API error in a line: the server's message when it sent one. */
export function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch { /* not JSON: fall through */ }
  }
  return errorMessage(error).split('\n')[0]!.slice(0, 300);
}
