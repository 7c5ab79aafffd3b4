import { RunFailedError } from '../../errors.js';
import { endpoints, report, type StepContext } from './context.js';
import { verifyServed } from './etcd.js';

/** Proves every member refuses a client certificate of the old CA. */
export async function verifyOldClientRejected(ctx: StepContext): Promise<void> {
  const old = ctx.plan.oldClient;
  if (!old) return;
  const identity = { caPem: ctx.identity.caPem, certPem: old.certPem, keyPem: old.keyPem };
  for (const member of endpoints(ctx)) {
    if (!(await ctx.cluster.refuses(member, identity))) {
      throw new RunFailedError(`${member.name} still accepts a client certificate of the old CA`, {
        remedy: 'its --trusted-ca-file still holds the old CA; check the file and restart the member',
      });
    }
  }
  report(ctx, undefined, `a client certificate of the old CA is refused by all ${endpoints(ctx).length} members`);
}

/** Every member healthy with one leader, serving its final certificates, and a write readable everywhere. */
export async function verifyFinal(ctx: StepContext): Promise<void> {
  const view = await ctx.cluster.view(endpoints(ctx), ctx.identity);
  if (view.unhealthy.length > 0 || view.leader === undefined) {
    const why = view.unhealthy.map((u) => `${u.name}: ${u.reason}`).join('; ') || 'no leader';
    throw new RunFailedError(`the cluster is not healthy after the run: ${why}`, {
      remedy: 'check the members\' logs; "etcd-rotate rollback" restores a working set',
    });
  }
  for (const master of ctx.plan.masters) {
    const expect = ctx.plan.finalServed[master.name];
    if (expect) await verifyServed(ctx, master, expect);
  }
  await ctx.cluster.writeAndReadBack(endpoints(ctx), ctx.identity);
  report(ctx, undefined, `all members healthy, leader ${view.leader}, a write read back from every member`);
}
