/**
 * A wrapper script as generated for a test catalogue: the same generator (images/generate.mjs)
 * and the same wrapper body, with a region whose registries are on loopback addresses.
 */
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from './docker-host.js';

/** The test region and its registries: the VPC one refuses connections, the public one works. */
export const TEST_REGION = 'sim-local-1';

/** Writes copies of the three scripts pinned to `digestReference`'s digest; resolves to their folder. */
export async function writeTestScripts(digestReference: string, publicRegistry: string): Promise<string> {
  const generator = (await import(path.join(REPO, 'images/generate.mjs'))) as {
    scriptBlock(catalogue: unknown, wrapper: string): string;
    SCRIPTS: string[];
  };
  const catalogue = JSON.parse(readFileSync(path.join(REPO, 'images/catalogue.json'), 'utf8'));
  const [, repository, digest] = /^[^/]+\/(.+)@(sha256:[0-9a-f]{64})$/.exec(digestReference) ?? [];
  const test = {
    ...catalogue,
    repository,
    digest,
    regions: { [TEST_REGION]: ['127.0.0.1:5056', publicRegistry] },
  };
  const block = generator.scriptBlock(test, readFileSync(path.join(REPO, 'scripts/lib/wrapper.sh'), 'utf8'));
  const dir = await mkdtemp(path.join(tmpdir(), 'etcd-rotate-scripts-'));
  for (const script of generator.SCRIPTS) {
    const text = readFileSync(path.join(REPO, script), 'utf8');
    const start = text.indexOf('# >>> generated');
    const end = text.indexOf('# <<< generated') + '# <<< generated'.length;
    const target = path.join(dir, path.basename(script));
    await writeFile(target, text.slice(0, start) + block + text.slice(end));
    await chmod(target, 0o755);
  }
  return dir;
}
