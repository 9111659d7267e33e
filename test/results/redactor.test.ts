import test from 'ava';
import { PIECE, Redactor, redactText } from '../../harness/results/redactor.ts';
import { SecretStore } from '../../harness/config/secrets.ts';

const db = '0f3a9c2e7b41d58a6c09e1f27d3b4a55';
const admin = 'b7e2c91d04fa3368e5a1c7d92b0f4e16';
const secrets = new Map([[db, 'keystone_db'], [admin, 'admin']]);

test('a whole secret is redacted by name, wherever it stands', (t) => {
  t.is(redactText(`mysql://keystone:${db}@mariadb/keystone`, secrets), 'mysql://keystone:<secret:keystone_db>@mariadb/keystone');
});

test('a secret cut before it got here (head or tail, ten characters or more) is still redacted', (t) => {
  const line = `create-db keystone keystone ${db}`;
  const cut = line.slice(0, line.length - 12); // a message kept to N characters
  t.is(redactText(`${cut}…`, secrets), 'create-db keystone keystone <secret:keystone_db>…');
  t.is(redactText(`…${admin.slice(-PIECE)} was refused`, secrets), '…<secret:admin> was refused');
  t.is(redactText(`pieces ${admin.slice(5, 5 + PIECE)} and ${db.slice(20, 31)}`, secrets), 'pieces <secret:admin> and <secret:keystone_db>');
});

test('text that only looks like a secret stays: hex of other origin, a piece shorter than ten characters', (t) => {
  const other = 'image sha256:9e22e795075d5c81 request req-5b1f0c2e-6a43-4d8e';
  t.is(redactText(other, secrets), other);
  t.is(redactText(`tail ${db.slice(-(PIECE - 1))}`, secrets), `tail ${db.slice(-(PIECE - 1))}`);
});

test('the run\'s redaction point and a cell\'s secret store redact alike, pieces included', (t) => {
  const redactor = new Redactor();
  const store = new SecretStore((name, value) => redactor.add(name, value));
  const value = store.get('glance_db');
  const text = `password=${value.slice(0, 14)}`;
  t.is(redactor.text(text), 'password=<secret:glance_db>');
  t.is(store.redact(text), 'password=<secret:glance_db>');
  t.deepEqual(redactor.value({ deep: [{ m: `x ${value}` }] }), { deep: [{ m: 'x <secret:glance_db>' }] });
});
