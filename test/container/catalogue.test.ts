/** The image catalogue and its copies: the TypeScript module, the scripts, the peer command. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { IMAGE_CATALOGUE } from '../../src/container/catalogue.js';
import { containerMounts, regionalImageReferences } from '../../src/container/images.js';
import { containerPeerCommand } from '../../src/container/peer-command.js';
import { privilegeFlags } from '../../src/container/privilege.js';
import { UsageError } from '../../src/errors.js';
import { REPO } from './docker-host.js';

const generator = (await import(path.join(REPO, 'images/generate.mjs'))) as {
  staleFiles(): string[];
  SCRIPTS: string[];
};

const catalogue = suite('image catalogue');

catalogue('the scripts and src/container/catalogue.ts match images/catalogue.json (node images/generate.mjs)', () => {
  assert.equal(generator.staleFiles(), []);
});

catalogue('the TypeScript copy holds the same data as the JSON', () => {
  const { comment: _comment, ...json } = JSON.parse(readFileSync(path.join(REPO, 'images/catalogue.json'), 'utf8'));
  assert.equal(JSON.parse(JSON.stringify(IMAGE_CATALOGUE)), json);
});

catalogue('every region lists its VPC registry before its public one, and the digest is pinned', () => {
  assert.match(IMAGE_CATALOGUE.digest, /^sha256:[0-9a-f]{64}$/);
  for (const [region, registries] of Object.entries(IMAGE_CATALOGUE.regions)) {
    assert.is(registries.length, 2, region);
    assert.is(registries[0], `registry-vpc.${region}.aliyuncs.com`);
    assert.is(registries[1], `registry.${region}.aliyuncs.com`);
  }
});

catalogue("the entrypoint ctr runs (it replaces the image's command line) is the Dockerfile's ENTRYPOINT", () => {
  const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
  assert.ok(entrypoint, 'the Dockerfile has an exec-form ENTRYPOINT');
  assert.equal(JSON.parse(entrypoint!), [...IMAGE_CATALOGUE.run.entrypoint]);
});

catalogue('every script embeds the generated block and ends by calling er_main', () => {
  for (const script of generator.SCRIPTS) {
    const text = readFileSync(path.join(REPO, script), 'utf8');
    assert.match(text, /^#!\/usr\/bin\/env bash\n/);
    assert.match(text, /\nset -euo pipefail\n/);
    assert.match(text, /# >>> generated[\s\S]*er_registries\(\)[\s\S]*# <<< generated/);
    assert.match(text, /\ner_main "\$@"\n$/);
  }
});

catalogue.run();

const references = suite('regionalImageReferences');

references('gives the VPC reference first, then the public one, pinned by digest', () => {
  assert.equal(regionalImageReferences('cn-hangzhou'), [
    `registry-vpc.cn-hangzhou.aliyuncs.com/acs/etcd-rotate@${IMAGE_CATALOGUE.digest}`,
    `registry.cn-hangzhou.aliyuncs.com/acs/etcd-rotate@${IMAGE_CATALOGUE.digest}`,
  ]);
});

references('refuses a region not catalogued, naming the known ones', () => {
  try {
    regionalImageReferences('xx-nowhere-1');
    assert.unreachable();
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match((error as Error).message, /region "xx-nowhere-1"/);
  }
});

references.run();

const peer = suite('containerPeerCommand');

peer('runs the image by id with host namespaces, the privilege flags and only existing mounts', () => {
  const id = `sha256:${'a'.repeat(64)}`;
  const command = containerPeerCommand(id, ['--cap-add=ALL', '--cap-drop=SYS_RESOURCE']);
  assert.match(command, /^sh -c '/);
  assert.match(command, /exec docker run -i --rm '\\''--cap-add=ALL'\\'' '\\''--cap-drop=SYS_RESOURCE'\\'' --pid host --network host/);
  assert.ok(command.includes(`${id} "$@"' etcd-rotate`), command);
  for (const mount of containerMounts()) assert.ok(command.includes(`if [ -e ${mount.path} ]`), mount.path);
  assert.ok(command.includes('-v /root/.ssh:/host/root/.ssh:ro -v /root/.ssh:/root/.ssh:ro'));
});

peer('privilegeFlags is --privileged unless ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS replaces it', () => {
  assert.equal(privilegeFlags({}), ['--privileged']);
  assert.equal(privilegeFlags({ ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS: '  ' }), ['--privileged']);
  assert.equal(privilegeFlags({ ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS: '--cap-add=ALL  --pid=host' }), ['--cap-add=ALL', '--pid=host']);
});

peer.run();
