// A pod the cluster refuses (quota, pod security, a webhook) is the cluster's policy, named; other events are not refusals.
import test from 'ava';
import type { CoreV1Event } from '@kubernetes/client-node';
import { admissionRefusal } from '../../../harness/backends/kubernetes/admission-refusal.ts';

const event = (kind: string, name: string, reason: string, message: string, at: string): CoreV1Event => ({
  metadata: {}, involvedObject: { kind, name }, reason, message, lastTimestamp: new Date(at),
} as CoreV1Event);

// As kube-controller-manager 1.20 words them (recorded from a cluster with a ResourceQuota and with restricted pod security).
const QUOTA = 'Error creating: pods "keystone-5d8f7c9b6-x2x8k" is forbidden: exceeded quota: gg-quota, requested: limits.memory=512Mi, used: limits.memory=1792Mi, limited: limits.memory=2Gi';
const PSA = 'Error creating: pods "keystone-db-abcde" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false';

test('a quota\'s refusal of a Deployment\'s pod is named, with the controller and the message, the newest one', (t) => {
  const events = [
    event('ReplicaSet', 'keystone-5d8f7c9b6', 'FailedCreate', 'Error creating: something older', '2026-12-07T03:00:00Z'),
    event('ReplicaSet', 'keystone-5d8f7c9b6', 'FailedCreate', QUOTA, '2026-12-07T03:00:05Z'),
    event('ReplicaSet', 'mariadb-7c9b6f', 'FailedCreate', QUOTA.replace('keystone', 'mariadb'), '2026-12-07T03:00:06Z'),
  ];
  t.is(admissionRefusal(events, 'keystone'), `the cluster refuses to create its pod (a resource quota): ReplicaSet/keystone-5d8f7c9b6: ${QUOTA}`);
});

test('pod security and webhooks are named as such; a Job\'s own refusal counts', (t) => {
  t.regex(admissionRefusal([event('Job', 'keystone-db', 'FailedCreate', PSA, '2026-12-07T03:00:00Z')], 'keystone-db')!, /^the cluster refuses to create its pod \(pod security admission\): Job\/keystone-db: /);
  t.regex(admissionRefusal([event('ReplicaSet', 'glance-api-6f7d8', 'FailedCreate', 'Internal error occurred: failed calling webhook: admission webhook "policy.example.com" denied the request', '2026-12-07T03:00:00Z')], 'glance-api')!, /\(an admission webhook\)/);
});

test('not a refusal: another workload\'s, another reason, a pod\'s own event', (t) => {
  t.is(admissionRefusal([event('Job', 'keystone-db-sync', 'FailedCreate', QUOTA, '2026-12-07T03:00:00Z')], 'keystone-db'), undefined);
  t.is(admissionRefusal([event('ReplicaSet', 'keystone-5d8f', 'SuccessfulCreate', 'Created pod: keystone-5d8f-abc', '2026-12-07T03:00:00Z')], 'keystone'), undefined);
  t.is(admissionRefusal([event('Pod', 'keystone-5d8f-abc', 'FailedCreate', QUOTA, '2026-12-07T03:00:00Z')], 'keystone'), undefined);
  t.is(admissionRefusal([event('ReplicaSet', 'placement-api-1', 'FailedCreate', QUOTA, '2026-12-07T03:00:00Z')], 'keystone'), undefined);
});
