/**
 * `distill kube IMAGE`: a Deployment + Service (+ NetworkPolicy) with the seed's securityContext,
 * as multi-document YAML or (`--json`) a v1 List, on stdout or `--output FILE`.
 * `distill kube lint FILE...`: Pod Security Standards (restricted) and the seed's profile;
 * exit 3 (KUBE_LINT_FAILED) on findings, 1 when a file cannot be read or parsed, 2 for bad flags.
 */
import type { Command } from 'commander';
import { writeAside } from '../../files/index.ts';
import {
  checkKubeOptions,
  DEFAULT_REQUESTS,
  KubeError,
  kubeManifests,
  lintFiles,
  lintJson,
  lintSarif,
  lintText,
  toJsonList,
  toYaml,
} from '../../kube/index.ts';
import { openSource } from '../../transports/index.ts';
import { consoleOutput, reserveStdout } from '../console-output.ts';
import { UsageError } from '../errors.ts';
import { collect } from '../options.ts';
import { distillTool } from '../tool.ts';

interface GenerateFlags {
  name?: string;
  namespace?: string;
  imageRef?: string;
  platform?: string;
  user?: string;
  allowRoot?: boolean;
  port?: string[];
  env?: string[];
  writable?: string[];
  cpu?: string;
  memory?: string;
  cpuLimit?: string;
  memoryLimit?: string;
  replicas?: string;
  networkPolicy?: boolean;
  json?: boolean;
  output?: string;
}

interface LintFlags {
  json?: boolean;
  format?: string;
  sarif?: string;
}

async function writeOut(file: string, text: string): Promise<void> {
  try {
    await writeAside(file, text);
  } catch (err) {
    throw new KubeError('KUBE_WRITE_FAILED', `cannot write ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

export function register(program: Command): void {
  const kube = program
    .command('kube')
    .description(
      "Kubernetes manifests with the seed's securityContext for an image; `kube lint` checks manifests against Pod Security Standards",
    )
    .argument(
      '<image>',
      'the image: oci:DIR[:TAG], docker://HOST/REPO:TAG, docker-archive:FILE, docker-daemon:NAME',
    )
    .option('--name <name>', 'name of the objects and the container (default: from the image name)')
    .option('--namespace <ns>', 'metadata.namespace of every object')
    .option(
      '--image-ref <name>',
      'registry name the cluster pulls from (HOST/REPO); @sha256:DIGEST is appended',
    )
    .option('--platform <os/arch[/variant]>', 'the image of an index to read user, ports and volumes from')
    .option('--user <uid[:gid]>', "run as this numeric user instead of the image's")
    .option(
      '--allow-root',
      'write a pod that runs as root when the image does (fails Pod Security restricted)',
    )
    .option('--port <port[/proto]>', 'a container port besides the image ExposedPorts (repeatable)', collect)
    .option('--env <name=value>', 'an environment variable (repeatable)', collect)
    .option('--writable <path>', 'another writable directory, an emptyDir volume (repeatable)', collect)
    .option('--cpu <quantity>', `CPU request (default ${DEFAULT_REQUESTS.cpu})`)
    .option('--memory <quantity>', `memory request (default ${DEFAULT_REQUESTS.memory})`)
    .option('--cpu-limit <quantity>', 'CPU limit (none by default)')
    .option('--memory-limit <quantity>', 'memory limit (none by default)')
    .option('--replicas <n>', 'Deployment replicas (default 1)')
    .option('--network-policy', 'also write a NetworkPolicy admitting ingress to the ports only')
    .option('--json', 'a JSON v1 List instead of YAML')
    .option('-o, --output <file>', 'write the manifests to FILE instead of stdout')
    .action(async (reference: string, f: GenerateFlags) => {
      const checked = checkKubeOptions({
        ...(f.name !== undefined ? { name: f.name } : {}),
        ...(f.namespace !== undefined ? { namespace: f.namespace } : {}),
        ...(f.imageRef !== undefined ? { imageRef: f.imageRef } : {}),
        ...(f.platform !== undefined ? { platform: f.platform } : {}),
        ...(f.user !== undefined ? { user: f.user } : {}),
        ...(f.allowRoot ? { allowRoot: true } : {}),
        ports: f.port ?? [],
        env: f.env ?? [],
        writable: f.writable ?? [],
        ...(f.cpu !== undefined ? { cpu: f.cpu } : {}),
        ...(f.memory !== undefined ? { memory: f.memory } : {}),
        ...(f.cpuLimit !== undefined ? { cpuLimit: f.cpuLimit } : {}),
        ...(f.memoryLimit !== undefined ? { memoryLimit: f.memoryLimit } : {}),
        ...(f.replicas !== undefined ? { replicas: f.replicas } : {}),
        ...(f.networkPolicy ? { networkPolicy: true } : {}),
      });
      const artifact = await openSource(reference);
      const r = await kubeManifests(artifact, reference, checked);
      for (const w of r.warnings) process.stderr.write(`distill: warning: ${w}\n`);
      const text = f.json ? toJsonList(r.objects) : toYaml(r.objects);
      if (f.output) {
        await writeOut(f.output, text);
        process.stderr.write(
          `wrote ${r.objects.map((o) => o.kind).join(', ')} for ${r.image} (uid ${r.user.uid}, gid ${r.user.gid}) to ${f.output}\n`,
        );
      } else process.stdout.write(text);
    });

  kube
    .command('lint')
    .description(
      'check manifests (YAML or JSON; - for stdin) against Pod Security Standards restricted and the seed profile; exit 3 on findings',
    )
    .argument('<files...>', 'manifest files')
    .option('--format <format>', 'text, json or sarif (SARIF 2.1.0)')
    .option('--json', 'the same as --format json')
    .option('--sarif <file>', 'also write SARIF 2.1.0 to FILE')
    .action(async (files: string[], f: LintFlags) => {
      const format = f.json ? 'json' : (f.format ?? 'text');
      if (!['text', 'json', 'sarif'].includes(format))
        throw new UsageError(`unknown --format ${JSON.stringify(format)}: use text, json or sarif`);
      if (f.json && f.format && f.format !== 'json')
        throw new UsageError('--json and --format are two ways to say one thing: give one');
      const out = consoleOutput(format === 'json');
      if (format === 'sarif') reserveStdout();
      const report = await lintFiles(files);
      for (const w of report.warnings) out.warn(`distill: warning: ${w}`);
      const sarif = format === 'sarif' || f.sarif ? lintSarif(report, await distillTool()) : undefined;
      if (f.sarif) await writeOut(f.sarif, `${JSON.stringify(sarif, null, 2)}\n`);
      if (format === 'sarif') process.stdout.write(`${JSON.stringify(sarif, null, 2)}\n`);
      else if (format === 'json') out.result(lintJson(report));
      else for (const line of lintText(report)) out.info(line);
      if (report.findings.length)
        throw new KubeError(
          'KUBE_LINT_FAILED',
          `${report.findings.length} finding(s) against Pod Security Standards restricted and the seed's profile`,
        );
    });
}
