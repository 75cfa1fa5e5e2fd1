/**
 * Every rule of `distill kube lint` on its own: a pod that breaks it (the violation names the
 * field) and one that keeps it, each a small change of a pod that passes everything. Then the
 * standard's pod-level/container-level interplay, init and ephemeral containers, Windows pods.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatPath, podTargets, RULES, type Rule } from './index.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

// biome-ignore lint/suspicious/noExplicitAny: tests build and mutate manifests as plain JSON
type Json = Record<string, any>;

/** A Pod that every rule passes. */
function goodPod(): Json {
  const container = (name: string) => ({
    name,
    image: `registry.example/${name}@${DIGEST}`,
    resources: { requests: { cpu: '100m', memory: '64Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', annotations: {} },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [container('app')],
      initContainers: [container('init')],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  };
}

function ruleById(id: string): Rule {
  const r = RULES.find((x) => x.id === id);
  assert.ok(r, id);
  return r;
}

/** The violations' fields (formatted paths) of `rule` on `pod`. */
function fields(rule: Rule, pod: Json): string[] {
  return podTargets(pod).flatMap((t) => rule.check(t).map((v) => formatPath(v.path)));
}

interface Case {
  id: string;
  name: string;
  level: string;
  bad: (p: Json) => void;
  badFields: string[];
  good: (p: Json) => void;
  /** Rules the passing change still breaks (what baseline allows, restricted may not). */
  alsoBreaks?: string[];
}

const app = (p: Json) => p.spec.containers[0];
const appSc = (p: Json) => app(p).securityContext;

const CASES: Case[] = [
  {
    id: 'pss-baseline-host-process',
    name: 'HostProcess',
    level: 'baseline',
    bad: (p) => {
      appSc(p).windowsOptions = { hostProcess: true };
    },
    badFields: ['spec.containers[0].securityContext.windowsOptions.hostProcess'],
    good: (p) => {
      p.spec.securityContext.windowsOptions = { hostProcess: false };
    },
  },
  {
    id: 'pss-baseline-host-namespaces',
    name: 'Host Namespaces',
    level: 'baseline',
    bad: (p) => {
      p.spec.hostPID = true;
    },
    badFields: ['spec.hostPID'],
    good: (p) => {
      p.spec.hostNetwork = false;
    },
  },
  {
    id: 'pss-baseline-privileged-containers',
    name: 'Privileged Containers',
    level: 'baseline',
    bad: (p) => {
      p.spec.initContainers[0].securityContext.privileged = true;
    },
    badFields: ['spec.initContainers[0].securityContext.privileged'],
    good: (p) => {
      appSc(p).privileged = false;
    },
  },
  {
    id: 'pss-baseline-capabilities',
    name: 'Capabilities',
    level: 'baseline',
    bad: (p) => {
      appSc(p).capabilities.add = ['CHOWN', 'NET_ADMIN'];
    },
    badFields: ['spec.containers[0].securityContext.capabilities.add[1]'],
    good: (p) => {
      appSc(p).capabilities.add = ['CHOWN', 'SYS_CHROOT', 'NET_BIND_SERVICE'];
    },
    alsoBreaks: ['pss-restricted-capabilities'],
  },
  {
    id: 'pss-baseline-hostpath-volumes',
    name: 'HostPath Volumes',
    level: 'baseline',
    bad: (p) => {
      p.spec.volumes.push({ name: 'h', hostPath: { path: '/' } });
    },
    badFields: ['spec.volumes[1].hostPath'],
    good: (p) => {
      p.spec.volumes.push({ name: 'c', configMap: { name: 'c' } });
    },
  },
  {
    id: 'pss-baseline-host-ports',
    name: 'Host Ports',
    level: 'baseline',
    bad: (p) => {
      app(p).ports = [{ containerPort: 80 }, { containerPort: 443, hostPort: 443 }];
    },
    badFields: ['spec.containers[0].ports[1].hostPort'],
    good: (p) => {
      app(p).ports = [{ containerPort: 80, hostPort: 0 }];
    },
  },
  {
    id: 'pss-baseline-host-probes-lifecycle-hooks',
    name: 'Host Probes / Lifecycle Hooks',
    level: 'baseline',
    bad: (p) => {
      app(p).readinessProbe = { tcpSocket: { host: '169.254.169.254', port: 80 } };
      app(p).lifecycle = { postStart: { httpGet: { host: 'db.example', port: 80 } } };
    },
    badFields: [
      'spec.containers[0].readinessProbe.tcpSocket.host',
      'spec.containers[0].lifecycle.postStart.httpGet.host',
    ],
    good: (p) => {
      app(p).livenessProbe = { httpGet: { host: '', port: 8080, path: '/' } };
    },
  },
  {
    id: 'pss-baseline-apparmor',
    name: 'AppArmor',
    level: 'baseline',
    bad: (p) => {
      p.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app'] = 'unconfined';
      appSc(p).appArmorProfile = { type: 'Unconfined' };
    },
    badFields: [
      'spec.containers[0].securityContext.appArmorProfile.type',
      'metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]',
    ],
    good: (p) => {
      p.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app'] = 'localhost/k8s-app';
      p.metadata.annotations['container.apparmor.security.beta.kubernetes.io/init'] = '';
      p.spec.securityContext.appArmorProfile = { type: 'RuntimeDefault' };
    },
  },
  {
    id: 'pss-baseline-selinux',
    name: 'SELinux',
    level: 'baseline',
    bad: (p) => {
      p.spec.securityContext.seLinuxOptions = { type: 'spc_t', level: 's0:c1' };
      appSc(p).seLinuxOptions = { role: 'sysadm_r' };
    },
    badFields: [
      'spec.securityContext.seLinuxOptions.type',
      'spec.containers[0].securityContext.seLinuxOptions.role',
    ],
    good: (p) => {
      p.spec.securityContext.seLinuxOptions = { type: 'container_init_t', level: 's0:c1,c2', user: '' };
    },
  },
  {
    id: 'pss-baseline-proc-mount-type',
    name: '/proc Mount Type',
    level: 'baseline',
    bad: (p) => {
      appSc(p).procMount = 'Unmasked';
    },
    badFields: ['spec.containers[0].securityContext.procMount'],
    good: (p) => {
      appSc(p).procMount = 'Default';
    },
  },
  {
    id: 'pss-baseline-seccomp',
    name: 'Seccomp',
    level: 'baseline',
    bad: (p) => {
      appSc(p).seccompProfile = { type: 'Unconfined' };
    },
    badFields: ['spec.containers[0].securityContext.seccompProfile.type'],
    good: (p) => {
      appSc(p).seccompProfile = { type: 'Localhost', localhostProfile: 'a.json' };
    },
  },
  {
    id: 'pss-baseline-sysctls',
    name: 'Sysctls',
    level: 'baseline',
    bad: (p) => {
      p.spec.securityContext.sysctls = [
        { name: 'net.ipv4.tcp_keepalive_time', value: '60' },
        { name: 'net.core.somaxconn', value: '1024' },
      ];
    },
    badFields: ['spec.securityContext.sysctls[1].name'],
    good: (p) => {
      p.spec.securityContext.sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }];
    },
  },
  {
    id: 'pss-restricted-volume-types',
    name: 'Volume Types',
    level: 'restricted',
    bad: (p) => {
      p.spec.volumes.push({ name: 'n', nfs: { server: 's', path: '/' } });
    },
    badFields: ['spec.volumes[1].nfs'],
    good: (p) => {
      p.spec.volumes.push(
        { name: 's', secret: { secretName: 's' } },
        { name: 'pvc', persistentVolumeClaim: { claimName: 'c' } },
        { name: 'pr', projected: { sources: [] } },
        { name: 'd', downwardAPI: { items: [] } },
        { name: 'e', ephemeral: { volumeClaimTemplate: { spec: {} } } },
        { name: 'csi', csi: { driver: 'd' } },
        { name: 'img', image: { reference: `registry.example/data@${DIGEST}` } },
      );
    },
  },
  {
    id: 'pss-restricted-privilege-escalation',
    name: 'Privilege Escalation',
    level: 'restricted',
    bad: (p) => {
      delete p.spec.initContainers[0].securityContext.allowPrivilegeEscalation;
      appSc(p).allowPrivilegeEscalation = true;
    },
    badFields: [
      'spec.containers[0].securityContext.allowPrivilegeEscalation',
      'spec.initContainers[0].securityContext.allowPrivilegeEscalation',
    ],
    good: () => {},
  },
  {
    id: 'pss-restricted-running-as-non-root',
    name: 'Running as Non-root',
    level: 'restricted',
    bad: (p) => {
      delete p.spec.securityContext.runAsNonRoot;
      appSc(p).runAsNonRoot = true;
    },
    // The app says true; the init container is covered by nothing.
    badFields: ['spec.initContainers[0].securityContext.runAsNonRoot'],
    good: (p) => {
      delete p.spec.securityContext.runAsNonRoot;
      appSc(p).runAsNonRoot = true;
      p.spec.initContainers[0].securityContext.runAsNonRoot = true;
    },
  },
  {
    id: 'pss-restricted-running-as-non-root-user',
    name: 'Running as Non-root user',
    level: 'restricted',
    bad: (p) => {
      appSc(p).runAsUser = 0;
    },
    badFields: ['spec.containers[0].securityContext.runAsUser'],
    good: (p) => {
      delete p.spec.securityContext.runAsUser;
      appSc(p).runAsUser = 1000;
    },
  },
  {
    id: 'pss-restricted-seccomp',
    name: 'Seccomp',
    level: 'restricted',
    bad: (p) => {
      delete p.spec.securityContext.seccompProfile;
      appSc(p).seccompProfile = { type: 'RuntimeDefault' };
    },
    badFields: ['spec.initContainers[0].securityContext.seccompProfile.type'],
    good: (p) => {
      delete p.spec.securityContext.seccompProfile;
      appSc(p).seccompProfile = { type: 'RuntimeDefault' };
      p.spec.initContainers[0].securityContext.seccompProfile = {
        type: 'Localhost',
        localhostProfile: 'x.json',
      };
    },
  },
  {
    id: 'pss-restricted-capabilities',
    name: 'Capabilities',
    level: 'restricted',
    bad: (p) => {
      appSc(p).capabilities = { drop: ['NET_RAW'], add: ['CHOWN'] };
    },
    badFields: [
      'spec.containers[0].securityContext.capabilities.drop',
      'spec.containers[0].securityContext.capabilities.add[0]',
    ],
    good: (p) => {
      appSc(p).capabilities = { drop: ['ALL'], add: ['NET_BIND_SERVICE'] };
    },
  },
  {
    id: 'pss-restricted-proc-mount-type',
    name: '/proc Mount Type',
    level: 'restricted',
    bad: (p) => {
      p.spec.hostUsers = false;
      appSc(p).procMount = 'Unmasked';
    },
    badFields: ['spec.containers[0].securityContext.procMount'],
    good: (p) => {
      p.spec.hostUsers = false;
      appSc(p).procMount = 'Default';
    },
  },
  {
    id: 'seed-read-only-root-filesystem',
    name: 'Read-only Root Filesystem',
    level: 'seed',
    bad: (p) => {
      delete appSc(p).readOnlyRootFilesystem;
    },
    badFields: ['spec.containers[0].securityContext.readOnlyRootFilesystem'],
    good: () => {},
  },
  {
    id: 'seed-image-digest',
    name: 'Image by Digest',
    level: 'seed',
    bad: (p) => {
      app(p).image = 'registry.example/app:1.0';
      p.spec.initContainers[0].image = `registry.example/init@sha256:${'a'.repeat(63)}`;
    },
    badFields: ['spec.containers[0].image', 'spec.initContainers[0].image'],
    good: (p) => {
      app(p).image = `registry.example/app:1.0@${DIGEST}`;
    },
  },
  {
    id: 'seed-resource-requests',
    name: 'Resource Requests',
    level: 'seed',
    bad: (p) => {
      delete app(p).resources.requests.memory;
      p.spec.initContainers[0].resources = { limits: { cpu: '1' } };
    },
    badFields: ['spec.containers[0].resources.requests', 'spec.initContainers[0].resources.requests'],
    good: (p) => {
      // Ephemeral containers cannot have resources: they are not asked for any.
      p.spec.ephemeralContainers = [
        {
          name: 'debug',
          image: `registry.example/debug@${DIGEST}`,
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ];
    },
  },
];

describe('kube lint rules', () => {
  test('the good pod passes every rule', () => {
    for (const r of RULES) assert.deepEqual(fields(r, goodPod()), [], r.id);
  });

  test('every rule has a case, and the rules are the standard’s controls and the seed’s', () => {
    assert.deepEqual(CASES.map((c) => c.id).sort(), RULES.map((r) => r.id).sort());
    assert.deepEqual(
      RULES.filter((r) => r.level !== 'seed').map((r) => `${r.level} ${r.name}`),
      [
        'baseline HostProcess',
        'baseline Host Namespaces',
        'baseline Privileged Containers',
        'baseline Capabilities',
        'baseline HostPath Volumes',
        'baseline Host Ports',
        'baseline Host Probes / Lifecycle Hooks',
        'baseline AppArmor',
        'baseline SELinux',
        'baseline /proc Mount Type',
        'baseline Seccomp',
        'baseline Sysctls',
        'restricted Volume Types',
        'restricted Privilege Escalation',
        'restricted Running as Non-root',
        'restricted Running as Non-root user',
        'restricted Seccomp',
        'restricted Capabilities',
        'restricted /proc Mount Type',
      ],
    );
  });

  for (const c of CASES)
    describe(`${c.level} ${c.name}`, () => {
      const rule = ruleById(c.id);
      test('names itself as the standard does', () => {
        assert.equal(rule.name, c.name);
        assert.equal(rule.level, c.level);
      });
      test('a violating pod: the offending fields', () => {
        const p = goodPod();
        c.bad(p);
        assert.deepEqual(fields(rule, p), c.badFields);
      });
      test('a passing pod', () => {
        const p = goodPod();
        c.good(p);
        assert.deepEqual(fields(rule, p), []);
        // The change breaks no other rule either (but those it names).
        const broken = RULES.filter((r) => fields(r, p).length).map((r) => r.id);
        assert.deepEqual(broken, c.alsoBreaks ?? []);
      });
    });

  test('pod-level runAsNonRoot and seccomp cover containers that leave them unset; a container’s false still fails', () => {
    const p = goodPod();
    appSc(p).runAsNonRoot = false;
    assert.deepEqual(fields(ruleById('pss-restricted-running-as-non-root'), p), [
      'spec.containers[0].securityContext.runAsNonRoot',
    ]);
    const q = goodPod();
    p.spec.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
    assert.deepEqual(fields(ruleById('pss-restricted-seccomp'), q), []);
    const r = goodPod();
    r.spec.securityContext.runAsNonRoot = false;
    appSc(r).runAsNonRoot = true;
    assert.deepEqual(fields(ruleById('pss-restricted-running-as-non-root'), r), [
      'spec.securityContext.runAsNonRoot',
      'spec.initContainers[0].securityContext.runAsNonRoot',
    ]);
  });

  test('a pod in a user namespace (hostUsers: false) may run as uid 0; its /proc masks are a restricted control then', () => {
    const p = goodPod();
    p.spec.hostUsers = false;
    delete p.spec.securityContext.runAsNonRoot;
    p.spec.securityContext.runAsUser = 0;
    appSc(p).procMount = 'Unmasked';
    const got = RULES.flatMap((r) => fields(r, p).map((f) => `${r.level} ${r.name} ${f}`));
    assert.deepEqual(got, ['restricted /proc Mount Type spec.containers[0].securityContext.procMount']);
    p.spec.hostUsers = true;
    const host = RULES.flatMap((r) => fields(r, p).map(() => `${r.level} ${r.name}`));
    assert.deepEqual(host, [
      'baseline /proc Mount Type',
      'restricted Running as Non-root',
      'restricted Running as Non-root',
      'restricted Running as Non-root user',
    ]);
  });

  test('ephemeral containers are checked like the others', () => {
    const p = goodPod();
    p.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox', securityContext: { privileged: true } }];
    const got = RULES.flatMap((r) => fields(r, p).map((f) => `${r.id} ${f}`));
    assert.deepEqual(got, [
      'pss-baseline-privileged-containers spec.ephemeralContainers[0].securityContext.privileged',
      'pss-restricted-privilege-escalation spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation',
      'pss-restricted-capabilities spec.ephemeralContainers[0].securityContext.capabilities.drop',
      'seed-read-only-root-filesystem spec.ephemeralContainers[0].securityContext.readOnlyRootFilesystem',
      'seed-image-digest spec.ephemeralContainers[0].image',
    ]);
  });

  test('Windows pods are exempt from Privilege Escalation, Seccomp and Capabilities (restricted), not from the rest', () => {
    const p = goodPod();
    p.spec.os = { name: 'windows' };
    delete p.spec.securityContext.seccompProfile;
    appSc(p).capabilities = {};
    delete appSc(p).allowPrivilegeEscalation;
    appSc(p).runAsUser = 0;
    const got = RULES.flatMap((r) => fields(r, p).map(() => r.id));
    assert.deepEqual(got, ['pss-restricted-running-as-non-root-user']);
  });

  test('workload kinds: the pod template, a CronJob’s job template, List items; other kinds have none', () => {
    const pod = goodPod();
    const tpl = { metadata: pod.metadata, spec: pod.spec };
    const paths = (o: Json) => podTargets(o).map((t) => formatPath(t.specPath));
    for (const kind of [
      'Deployment',
      'StatefulSet',
      'DaemonSet',
      'ReplicaSet',
      'ReplicationController',
      'Job',
    ])
      assert.deepEqual(paths({ kind, spec: { template: tpl } }), ['spec.template.spec'], kind);
    assert.deepEqual(paths({ kind: 'CronJob', spec: { jobTemplate: { spec: { template: tpl } } } }), [
      'spec.jobTemplate.spec.template.spec',
    ]);
    assert.deepEqual(paths({ kind: 'PodTemplate', template: tpl }), ['template.spec']);
    assert.deepEqual(paths({ kind: 'List', items: [{ kind: 'Service' }, pod] }), ['items[1].spec']);
    assert.deepEqual(paths({ kind: 'ConfigMap', data: {} }), []);
  });
});
