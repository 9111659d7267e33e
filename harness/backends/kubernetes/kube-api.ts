import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import { InfraError, errorMessage } from '../../errors.ts';

/** The API groups gategrid uses, from one kubeconfig. client-node only: no kubectl. */
export class KubeApi {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly batch: BatchV1Api;

  constructor(kc: KubeConfig) {
    this.kc = kc;
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.batch = kc.makeApiClient(BatchV1Api);
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '(no cluster in the kubeconfig)';
  }

  /** The server's version, or an InfraError saying which cluster does not answer. */
  async version(timeoutMs = 10_000): Promise<string> {
    const api = this.kc.makeApiClient(VersionApi);
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
