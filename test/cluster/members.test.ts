import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { InputError } from '../../src/errors.js';
import { assignClientUrls, parseInitialCluster } from '../../src/cluster/members.js';
import { thrown } from './helpers.js';

const parseSuite = suite('parseInitialCluster lists the members in order');

parseSuite('groups the peer URLs of a name that repeats', () => {
  const members = parseInitialCluster(
    'm1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380,m1=https://10.0.1.1:2380',
    'etcd unit /x',
  );
  assert.equal(members, [
    { name: 'm1', ip: '10.0.0.1', peerUrls: ['https://10.0.0.1:2380', 'https://10.0.1.1:2380'], clientUrls: [] },
    { name: 'm2', ip: '10.0.0.2', peerUrls: ['https://10.0.0.2:2380'], clientUrls: [] },
  ]);
});

parseSuite('takes the IP of an IPv6 peer URL without brackets', () => {
  const [member] = parseInitialCluster('m1=https://[fd00::1]:2380', 'etcd unit /x');
  assert.is(member?.ip, 'fd00::1');
});

for (const entry of ['https://10.0.0.1:2380', 'm1=10.0.0.1', '=https://10.0.0.1:2380']) {
  parseSuite(`refuses the entry "${entry}"`, () => {
    const error = thrown(() => parseInitialCluster(`m0=https://10.0.0.9:2380,${entry}`, 'etcd unit /x'));
    assert.instance(error, InputError);
    assert.match(error.message, /--initial-cluster in etcd unit \/x has the entry ".*", which is not name=peerURL/);
  });
}

parseSuite.run();

const assignSuite = suite('assignClientUrls gives every member its client URLs');

const declared = parseInitialCluster(
  'm1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380,m3=https://[fd00::3]:2380',
  'etcd unit /x',
);

assignSuite('uses the advertised URLs locally, --etcd-servers or the local port elsewhere', () => {
  const members = assignClientUrls(declared, {
    localName: 'm1',
    advertiseClientUrls: ['https://10.0.0.1:12379', 'https://127.0.0.1:12379'],
    etcdServers: ['https://10.0.0.2:2379', 'https://127.0.0.1:2379'],
  });
  assert.equal(
    members.map((member) => member.clientUrls),
    [
      ['https://10.0.0.1:12379', 'https://127.0.0.1:12379'],
      ['https://10.0.0.2:2379'],
      ['https://[fd00::3]:12379'],
    ],
  );
});

assignSuite('falls back to port 2379 when the local member advertises no port', () => {
  const members = assignClientUrls(declared, {
    localName: 'm1',
    advertiseClientUrls: [],
    etcdServers: [],
  });
  assert.equal(members[1]?.clientUrls, ['https://10.0.0.2:2379']);
});

assignSuite.run();
