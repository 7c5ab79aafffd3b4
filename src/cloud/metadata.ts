import { PreflightError, messageOf } from '../errors.js';

/** The ECS instance metadata service; tests point it elsewhere with ETCD_ROTATE_METADATA_URL. */
export const METADATA_URL = 'http://100.100.100.200';

const TIMEOUT_MS = 3_000;
const TOKEN_TTL_S = 300;

/** Reads this instance's metadata (region, instance id, RAM role and its STS credentials). */
export interface MetadataClient {
  /** The text at `latest/meta-data/<path>`. */
  get(path: string): Promise<string>;
}

/**
 * A metadata client. It asks for a session token first (the hardened mode
 * some instances enforce) and carries on without one where there is none.
 */
export function createMetadataClient(
  baseUrl = process.env['ETCD_ROTATE_METADATA_URL'] ?? METADATA_URL,
): MetadataClient {
  let token: { value: string; until: number } | undefined;

  async function sessionToken(): Promise<string | undefined> {
    if (token && token.until > Date.now()) return token.value;
    const response = await fetch(`${baseUrl}/latest/api/token`, {
      method: 'PUT',
      headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': String(TOKEN_TTL_S) },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    }).catch(() => undefined);
    if (!response?.ok) return undefined;
    token = { value: (await response.text()).trim(), until: Date.now() + (TOKEN_TTL_S - 30) * 1000 };
    return token.value;
  }

  return {
    async get(path) {
      const url = `${baseUrl}/latest/meta-data/${path}`;
      try {
        const value = await sessionToken();
        const headers: Record<string, string> = value ? { 'X-aliyun-ecs-metadata-token': value } : {};
        const response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return (await response.text()).trim();
      } catch (error) {
        throw new PreflightError(`cannot read ${path} from the instance metadata service (${baseUrl}): ${messageOf(error)}`, {
          remedy: 'run on an ECS instance, or pass --region and set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET',
          cause: error,
        });
      }
    },
  };
}
