/**
 * Static pod manifests as the kubelet's file source reads them: every regular, non-hidden file
 * in the folder is one pod (any extension: a `kube-apiserver.yaml.bak` left there is a pod too);
 * the pod UID is a hash of the node, the path and the parsed content, so touching a file or
 * re-indenting it changes nothing, while any real edit makes a new pod.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const YAML = createRequire(import.meta.url)('yaml');

/** The kubelet's default terminationGracePeriodSeconds. */
const DEFAULT_GRACE_SECONDS = 30;

/**
 * Reads the folder. Returns `{ pods, problems }`: pods in file-name order, with duplicates of
 * a pod's full name dropped (the first file wins, as in the kubelet), and one message per file
 * that was skipped.
 */
export function readStaticPods(dir, nodeName) {
  const pods = [];
  const problems = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return { pods, problems: [`path does not exist: ${dir}`] };
    throw error;
  }

  const seen = new Set();
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (!entry.isFile()) {
      problems.push(`Not recursing into manifest path ${path}`);
      continue;
    }
    let pod;
    try {
      pod = parseStaticPod(readFileSync(path, 'utf8'), path, nodeName);
    } catch (error) {
      const reason = error.message.split('\n')[0];
      problems.push(`Could not process manifest file ${path}: ${reason}`);
      continue;
    }
    if (seen.has(pod.fullName)) {
      problems.push(
        `Pod ${pod.namespace}/${pod.fullName} from ${path} has a duplicate full name; ignored`,
      );
      continue;
    }
    seen.add(pod.fullName);
    pods.push(pod);
  }
  return { pods, problems };
}

/** One manifest's pod; throws with the reason when the kubelet would reject it. */
export function parseStaticPod(text, path, nodeName) {
  const doc = YAML.parse(text);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error('not a single object');
  }
  if (doc.kind !== 'Pod') throw new Error(`kind is "${doc.kind}", expected "Pod"`);
  const name = doc.metadata?.name;
  if (typeof name !== 'string' || name === '') throw new Error('metadata.name is empty');
  const containers = doc.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw new Error('spec.containers is empty');
  }

  const node = nodeName.toLowerCase();
  const uid = createHash('md5')
    .update(`host:${node}`)
    .update(`file:${path}`)
    .update(canonicalJson(doc))
    .digest('hex');
  const grace = doc.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;

  return {
    uid,
    name,
    fullName: `${name}-${node}`,
    namespace: doc.metadata.namespace || 'default',
    manifestPath: path,
    graceMs: Number(grace) * 1000,
    containers: containers.map((c, i) => parseContainer(c, i)),
  };
}

function parseContainer(c, index) {
  if (typeof c?.name !== 'string' || c.name === '') {
    throw new Error(`spec.containers[${index}].name is empty`);
  }
  const env = {};
  for (const e of c.env ?? []) {
    if (typeof e?.name === 'string' && e.value !== undefined) env[e.name] = String(e.value);
  }
  return {
    name: c.name,
    image: String(c.image ?? ''),
    argv: [...(c.command ?? []), ...(c.args ?? [])].map(String),
    env,
  };
}

/** JSON with object keys sorted, so equal content hashes equally. */
function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
