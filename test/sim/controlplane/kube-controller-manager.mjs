#!/usr/bin/env node
/**
 * kube-controller-manager stand-in (see kubelet.mjs): proves its kubeconfig's client
 * certificate against the apiserver every 2 s and serves /healthz on port 10257.
 */
import { runControllerComponent } from './lib/controller.mjs';

await runControllerComponent('controllermanager', 10257);
