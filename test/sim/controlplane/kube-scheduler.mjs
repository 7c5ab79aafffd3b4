#!/usr/bin/env node
/**
 * kube-scheduler stand-in (see kubelet.mjs): proves its kubeconfig's client certificate
 * against the apiserver every 2 s and serves /healthz on port 10259.
 */
import { runControllerComponent } from './lib/controller.mjs';

await runControllerComponent('scheduler', 10259);
