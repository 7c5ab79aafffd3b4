# The production image of etcd-rotate: Node.js, the OpenSSH client and util-linux's nsenter,
# the compiled CLI and its production dependencies, nothing else.
#
# BASE_IMAGE is the runtime base, BUILD_IMAGE the same plus npm. Where a registry is reachable
# any Debian-based Node.js 20 image with openssh-client works (e.g. node:20-bookworm-slim for
# both); where none is, images/base/build.sh makes both locally (see images/README.md).
# The build stage installs nothing from the network: it takes node_modules from the build
# context, as `npm ci` made it from package-lock.json, so build after `npm ci`.
ARG BASE_IMAGE=etcd-rotate-base:bookworm
ARG BUILD_IMAGE=etcd-rotate-base:bookworm-build

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
COPY node_modules ./node_modules
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && find dist -name "*.map" -delete

FROM ${BASE_IMAGE}
WORKDIR /opt/etcd-rotate
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Read by the tool to tell it runs from this image (container mode, peers run it too).
ENV ETCD_ROTATE_IN_IMAGE=1 NODE_ENV=production
ENTRYPOINT ["/usr/bin/node", "/opt/etcd-rotate/dist/cli.js"]
