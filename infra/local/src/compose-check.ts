/**
 * `pnpm docs:check` step: `docker compose config` validates docker-compose.yml where a docker
 * client exists (it needs no engine). Without one it says so and passes: the file's structure is
 * still checked everywhere by test/foundation/deploy-manifests.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '@rotation/config';

const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.log('docker-compose.yml: no docker client with compose here, `docker compose config` skipped');
} else {
  const run = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', 'config', '--quiet'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (run.status !== 0) {
    console.error(`docker-compose.yml: docker compose config failed:\n${run.stderr}`);
    process.exit(1);
  }
  console.log('docker-compose.yml: docker compose config ok');
}
