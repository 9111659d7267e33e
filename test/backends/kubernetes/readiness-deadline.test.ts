/** A pod's readiness time counts from its container's start, not from the pod's creation. */
import test from 'ava';
import { readinessOverdue } from '../../../harness/backends/kubernetes/kubernetes-environment.ts';

test('a service that the cluster started late still has its whole time to become ready', (t) => {
  // As on 2026-12-07 (compute/victoria, local cluster): rabbitmq's pod was made at 0, its container
  // ran from 36 s, RabbitMQ listened at 94 s: within 90 s of its start, so not overdue.
  t.is(readinessOverdue(36_000, 0, 90_000, 94_000), undefined);
  t.is(readinessOverdue(36_000, 0, 90_000, 126_000), undefined);
});

test('past its time since the start it is overdue, and the message says what the cluster took', (t) => {
  t.is(readinessOverdue(36_000, 0, 90_000, 126_001), 'the cluster took 36.0 s to start it');
});
