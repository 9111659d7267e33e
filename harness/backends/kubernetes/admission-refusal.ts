/**
 * A pod the cluster refuses to create (a quota exceeded, pod security admission, a webhook): its
 * controller (ReplicaSet, StatefulSet, Job) records a FailedCreate event and no pod ever appears.
 * That is the cluster's policy, not the deployment's fault: the cell is `error`, naming the policy,
 * instead of "did not become ready".
 */
import type { CoreV1Event } from '@kubernetes/client-node';

const CONTROLLERS = new Set(['ReplicaSet', 'StatefulSet', 'Job']);

/** A Deployment's ReplicaSet is named `<deployment>-<pod-template-hash>` (5 to 10 letters and digits). */
const replicaSetOf = (name: string, workload: string): boolean => name.startsWith(`${workload}-`) && /^[a-z0-9]{5,10}$/.test(name.slice(workload.length + 1));

/** The newest FailedCreate of a controller of `workload` (its own name, or a ReplicaSet of it), as one line. */
export function admissionRefusal(events: readonly CoreV1Event[], workload: string): string | undefined {
  const refusals = events.filter((e) => e.reason === 'FailedCreate'
    && CONTROLLERS.has(e.involvedObject.kind ?? '')
    && (e.involvedObject.name === workload || replicaSetOf(e.involvedObject.name ?? '', workload)));
  const newest = refusals.sort((a, b) => String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? ''))).at(-1);
  if (!newest) return undefined;
  const message = (newest.message ?? '').replace(/\s+/g, ' ').trim();
  const policy = /exceeded quota/i.test(message) ? 'a resource quota' : /violates PodSecurity|pod security/i.test(message) ? 'pod security admission'
    : /admission webhook/i.test(message) ? 'an admission webhook' : /forbidden/i.test(message) ? 'the cluster\'s policy' : 'the cluster';
  return `the cluster refuses to create its pod (${policy}): ${newest.involvedObject.kind}/${newest.involvedObject.name}: ${message}`;
}
