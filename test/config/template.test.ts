import test from 'ava';
import { objectResolver, renderTemplate } from '../../harness/config/template.ts';
import { SecretStore } from '../../harness/config/secrets.ts';
import { ConfigError } from '../../harness/errors.ts';

test('renders dotted paths, dashed names and numeric keys', (t) => {
  const secrets = new SecretStore();
  const resolve = objectResolver({ ports: { 'glance-api': { '9292': 40123 } }, vars: { db: 'x' } }, (n) => secrets.get(n));
  t.is(renderTemplate('http://127.0.0.1:{{ ports.glance-api.9292 }}/ {{vars.db}}', resolve, 't'), 'http://127.0.0.1:40123/ x');
});

test('a secret is generated once per name and is stable within a cell', (t) => {
  const secrets = new SecretStore();
  const resolve = objectResolver({}, (n) => secrets.get(n));
  const out = renderTemplate('{{ secrets.a }} {{ secrets.a }} {{ secrets.b }}', resolve, 't').split(' ');
  t.is(out[0], out[1]);
  t.not(out[0], out[2]);
  t.regex(out[0]!, /^[0-9a-f]{32}$/);
});

test('an unknown variable is an error naming the template, the name and the line', (t) => {
  const error = t.throws(() => renderTemplate('a\nb {{ vars.nope }}', objectResolver({ vars: {} }, () => 's'), 'svc/x.conf'), { instanceOf: ConfigError });
  t.is(error.field, 'vars.nope');
  t.is(error.line, 2);
  t.is(error.file, 'svc/x.conf');
});

test('redact replaces every generated secret in a text', (t) => {
  const secrets = new SecretStore();
  const value = secrets.get('admin');
  t.is(secrets.redact(`password=${value}; again ${value}`), 'password=<secret:admin>; again <secret:admin>');
});
