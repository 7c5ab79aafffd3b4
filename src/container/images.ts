/**
 * The regional image references and the container's mounts, derived from the catalogue
 * (images/catalogue.json, copied into catalogue.ts by images/generate.mjs).
 */

import { UsageError } from '../errors.js';
import { IMAGE_CATALOGUE } from './catalogue.js';

/** Where the host's filesystem appears inside the container. */
export const CONTAINER_HOST_ROOT = IMAGE_CATALOGUE.run.hostRoot;

/** The regions an image is catalogued for. */
export function catalogueRegions(): string[] {
  return Object.keys(IMAGE_CATALOGUE.regions);
}

/**
 * The references to pull in `region`, pinned by digest, the VPC-internal registry first and
 * the public one after it. Throws a UsageError naming the known regions for any other region.
 */
export function regionalImageReferences(region: string): string[] {
  const registries = (IMAGE_CATALOGUE.regions as Record<string, readonly string[]>)[region];
  if (registries === undefined) {
    throw new UsageError(`no etcd-rotate image is catalogued for region "${region}"`, {
      remedy: `pass one of: ${catalogueRegions().join(', ')}`,
    });
  }
  return registries.map((registry) => `${registry}/${IMAGE_CATALOGUE.repository}@${IMAGE_CATALOGUE.digest}`);
}

/** A host path the container sees under CONTAINER_HOST_ROOT. */
export interface ContainerMount {
  path: string;
  readOnly: boolean;
  /** Created (0700) on the host before the container starts, when missing. */
  create: boolean;
  /** A second place inside the container, e.g. /root/.ssh for the SSH client. */
  alsoAt?: string;
}

/** The catalogue's mounts, in order. */
export function containerMounts(): ContainerMount[] {
  return IMAGE_CATALOGUE.run.mounts.map((m) => ({
    path: m.path,
    readOnly: 'readOnly' in m && m.readOnly === true,
    create: 'create' in m && m.create === true,
    ...('alsoAt' in m ? { alsoAt: m.alsoAt } : {}),
  }));
}
