/**
 * What `helm install` prints after installing (NOTES.txt), from a client-only dry run: a warning
 * for each setting the pods cannot start without, and none once they are all given.
 */
import { CHART, NAMESPACE, RELEASE, helmRun, type Values } from './helm';

function notes(values?: Values): string {
  const r = helmRun(['install', RELEASE, CHART, '--dry-run=client', '--namespace', NAMESPACE], values);
  if (r.status !== 0) throw new Error(`helm install --dry-run failed:\n${r.stderr}`);
  return r.stdout.slice(r.stdout.indexOf('NOTES:'));
}

const complete: Values = {
  config: { CARACAL_API_URL: 'https://caracal.example.com' },
  secrets: { REDIS_URL: 'redis://redis:6379', TRIAGE_SIGNING_KEY: 'k'.repeat(32), CARACAL_ADMIN_TOKEN: 'cat_x' },
};

test('the default values warn of each setting the pods exit without', () => {
  const text = notes();
  for (const name of ['secrets.REDIS_URL', 'secrets.TRIAGE_SIGNING_KEY', 'secrets.CARACAL_ADMIN_TOKEN or adminTokenFile', 'config.CARACAL_API_URL']) expect(text).toContain(name);
  expect(text).toContain(`kubectl -n ${NAMESPACE} get pods -l app.kubernetes.io/instance=${RELEASE}`);
});

test('no warning once they are given, directly or through existingSecret', () => {
  expect(notes(complete)).not.toContain('WARNING');
  expect(notes({ existingSecret: 'creds', config: { CARACAL_API_URL: 'https://caracal.example.com' } })).not.toContain('WARNING');
});
