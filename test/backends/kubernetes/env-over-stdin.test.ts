import test from 'ava';
import { execa } from 'execa';
import { envOverStdin } from '../../../harness/backends/kubernetes/kubernetes-environment.ts';

// An exec request on Kubernetes has no environment: the job's values (passwords) go on its standard
// input. Run here by a real sh, as the pod's would run it.
test('an exec\'s environment travels on standard input, never in its arguments, and arrives byte for byte', async (t) => {
  const env = { DB_PASSWORD: "s3cr'et \"$(touch /tmp/gg-never)\" ü\nline", OTHER: '' };
  const { command, stdin } = envOverStdin(['sh', '-c', 'printf "%s|%s|%s" "$DB_PASSWORD" "$OTHER" "$1"', 'sh', 'arg one'], env);
  t.false(command.join(' ').includes('s3cr'), 'no value in the arguments');
  const r = await execa(command[0]!, command.slice(1), { input: Buffer.concat([stdin!, Buffer.from('not read')]) });
  t.is(r.stdout, `${env.DB_PASSWORD}||arg one`);
  t.is((await execa('test', ['-e', '/tmp/gg-never'], { reject: false })).exitCode, 1, 'a value is data, never code');
});

test('no environment: the command as it is, nothing on standard input', (t) => {
  t.deepEqual(envOverStdin(['create-db', 'x'], {}), { command: ['create-db', 'x'] });
});
