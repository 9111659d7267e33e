import test from 'ava';
import { ownLines } from '../../harness/docker-cli.ts';

test('Docker-side listings leave out kubelet\'s containers (the local cluster\'s pods carry gategrid\'s labels too)', (t) => {
  // `docker ps --format '<value>|{{.Label "io.kubernetes.pod.uid"}}'`: a pod's container has the uid.
  const ps = 'run-a|\nrun-b|c31a74ef-7d49-4550-b13c-fbdf8810e82e\n run-c |\n\n';
  t.deepEqual(ownLines('container', ps), ['run-a', 'run-c']);
  t.deepEqual(ownLines('network', 'n1\nn2\n'), ['n1', 'n2']);
});
