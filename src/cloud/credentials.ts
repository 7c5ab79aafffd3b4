import { PreflightError } from '../errors.js';
import type { MetadataClient } from './metadata.js';

/** Renew role credentials this long before they expire. */
const REFRESH_BEFORE_MS = 10 * 60_000;

/**
 * An access key for the ECS API. The secret and the token stay in private
 * fields: printing, logging or serialising this object shows neither.
 */
export class CloudCredentials {
  readonly #secret: string;
  readonly #token: string | undefined;

  constructor(
    readonly accessKeyId: string,
    secret: string,
    token: string | undefined,
    /** Where they came from, for messages: `environment` or `RAM role <name>`. */
    readonly source: string,
    readonly expiresAt?: Date,
  ) {
    this.#secret = secret;
    this.#token = token;
  }

  /** The secret, for signing only. */
  secret(): string {
    return this.#secret;
  }

  /** The STS security token, if these are temporary credentials. */
  securityToken(): string | undefined {
    return this.#token;
  }

  toJSON(): Record<string, string> {
    return { accessKeyId: maskKeyId(this.accessKeyId), source: this.source };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CloudCredentials(${maskKeyId(this.accessKeyId)} from ${this.source})`;
  }
}

/** Where a run gets its credentials; called before every API request. */
export interface CredentialSource {
  get(): Promise<CloudCredentials>;
}

/** An access key id as messages show it: enough to recognise, not the whole. */
export function maskKeyId(id: string): string {
  return id.length <= 8 ? '****' : `${id.slice(0, 4)}****${id.slice(-4)}`;
}

/**
 * The standard chain: ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET (and
 * ALIBABA_CLOUD_SECURITY_TOKEN for STS keys) from the environment, else the
 * instance's RAM role through the metadata service, renewed before expiry.
 */
export function defaultCredentials(env: NodeJS.ProcessEnv, metadata: MetadataClient): CredentialSource {
  const id = env['ALIBABA_CLOUD_ACCESS_KEY_ID'];
  const secret = env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'];
  if (id && secret) {
    const keys = new CloudCredentials(id, secret, env['ALIBABA_CLOUD_SECURITY_TOKEN'] || undefined, 'environment');
    return { get: async () => keys };
  }
  if (id || secret) {
    throw new PreflightError('only one of ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET is set', {
      remedy: 'set both, or neither to use the instance RAM role',
    });
  }
  return ramRoleCredentials(metadata);
}

/** The instance RAM role's STS credentials, cached until shortly before they expire. */
export function ramRoleCredentials(metadata: MetadataClient): CredentialSource {
  let cached: CloudCredentials | undefined;

  return {
    async get() {
      if (cached?.expiresAt && cached.expiresAt.getTime() - Date.now() > REFRESH_BEFORE_MS) return cached;
      const role = (await metadata.get('ram/security-credentials/')).split('\n')[0]?.trim();
      if (!role) {
        throw new PreflightError('this instance has no RAM role and no access key is set', {
          remedy: 'attach a RAM role allowed to call ecs:DescribeInstances, ecs:RunCommand, ecs:DescribeInvocationResults and ecs:StopInvocation, or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET',
        });
      }
      cached = parseRoleCredentials(role, await metadata.get(`ram/security-credentials/${role}`));
      return cached;
    },
  };
}

function parseRoleCredentials(role: string, text: string): CloudCredentials {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = {};
  }
  const { AccessKeyId, AccessKeySecret, SecurityToken, Expiration, Code } = body;
  if (typeof AccessKeyId !== 'string' || typeof AccessKeySecret !== 'string' || typeof SecurityToken !== 'string') {
    throw new PreflightError(`the metadata service returned no usable credentials for RAM role ${role} (Code: ${String(Code ?? 'none')})`, {
      remedy: 'check the role attached to this instance in the ECS console',
    });
  }
  const expiresAt = typeof Expiration === 'string' ? new Date(Expiration) : undefined;
  return new CloudCredentials(AccessKeyId, AccessKeySecret, SecurityToken, `RAM role ${role}`, expiresAt);
}
