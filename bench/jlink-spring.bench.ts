/**
 * Issue 14 item 8: `distill build --jlink` on a Spring-Boot-sized app, against the same app on
 * java21 (gzip, amd64, debian13). The app is an embedded Tomcat 10 serving JSON made by Jackson
 * from a Spring bean, logging through SLF4J/Logback; its 64 library jars (about 20 MB, the size
 * of a Spring Boot web app's fat jar) are Debian's (Spring, Tomcat 10, Jackson, Logback, SLF4J,
 * SnakeYAML, commons-logging), fetched with `apt-get download` and named in the jar's
 * Class-Path. The jlinked image is loaded into the Docker engine and must answer HTTP. Printed:
 * the compressed sizes of java21, java21 --slim, java-base, the --jlink image, java21 + the app,
 * and the ratio (goal ≤ 60%). Needs apt-get (Debian archive), javac/jar, runc, dockerd.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'distill.js');
const GOAL = 0.6;
const DEBS = [
  'libspring-core-java',
  'libspring-beans-java',
  'libspring-context-java',
  'libspring-aop-java',
  'libspring-expression-java',
  'libspring-web-java',
  'libtomcat10-embed-java',
  'libtomcat10-java',
  'libjackson2-core-java',
  'libjackson2-databind-java',
  'libjackson2-annotations-java',
  'libjackson2-dataformat-yaml',
  'libyaml-snake-java',
  'libslf4j-java',
  'liblogback-java',
  'libcommons-logging-java',
];

const MAIN = `
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.slf4j.LoggerFactory;
import org.springframework.context.support.StaticApplicationContext;
public class Main {
  public static class Greeter {
    public Map<String, Object> greet(String path) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("hello", path);
      m.put("java", System.getProperty("java.version"));
      return m;
    }
  }
  public static void main(String[] args) throws Exception {
    StaticApplicationContext spring = new StaticApplicationContext();
    spring.registerSingleton("greeter", Greeter.class);
    spring.refresh();
    Greeter greeter = spring.getBean(Greeter.class);
    ObjectMapper json = new ObjectMapper();
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir("/tmp/tomcat");
    tomcat.setPort(Integer.parseInt(System.getenv().getOrDefault("PORT", "8080")));
    tomcat.getConnector();
    Context ctx = tomcat.addContext("", null);
    Tomcat.addServlet(ctx, "json", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("application/json");
        json.writeValue(resp.getWriter(), greeter.greet(req.getRequestURI()));
      }
    });
    ctx.addServletMappingDecoded("/*", "json");
    tomcat.start();
    LoggerFactory.getLogger(Main.class).info("listening");
    tomcat.getServer().await();
  }
}
`;

function sh(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 1_800_000, ...opts });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** Compressed bytes of the image in an OCI layout (config + layers). */
async function imageBytes(layout: string): Promise<number> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
  const d = index.manifests[0].digest as string;
  const m = JSON.parse(await readFile(join(layout, 'blobs', ...d.split(':')), 'utf8'));
  return m.config.size + m.layers.reduce((n: number, l: { size: number }) => n + l.size, 0);
}

async function jarsUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.endsWith('.jar')) out.push(join(e.parentPath ?? e.path, e.name));
  return out.sort();
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'distill-bench-jlink-'));
  try {
    const debs = join(work, 'debs');
    await mkdir(debs);
    sh('apt-get', ['download', ...DEBS], { cwd: debs });
    for (const f of await readdir(debs))
      if (f.endsWith('.deb')) sh('dpkg-deb', ['-x', join(debs, f), join(debs, 'x')]);
    const app = join(work, 'app');
    const lib = join(app, 'target', 'lib');
    await mkdir(lib, { recursive: true });
    const names: string[] = [];
    for (const j of await jarsUnder(join(debs, 'x'))) {
      const name = j.split('/').pop() as string;
      if (names.includes(name)) continue;
      names.push(name);
      await copyFile(j, join(lib, name));
    }
    await writeFile(join(work, 'Main.java'), MAIN);
    const cp = names.map((n) => join(lib, n)).join(':');
    sh('javac', [
      '--release',
      '17',
      '-nowarn',
      '-cp',
      cp,
      '-d',
      join(work, 'classes'),
      join(work, 'Main.java'),
    ]);
    // Class-Path continuation lines: one space marks the continuation, the next separates entries.
    const manifest = `Main-Class: Main\nClass-Path: lib/${names[0]}\n${names
      .slice(1)
      .map((n) => `  lib/${n}\n`)
      .join('')}`;
    await writeFile(join(work, 'manifest.txt'), manifest);
    sh('jar', [
      '--create',
      '--file',
      join(app, 'target', 'app.jar'),
      '--manifest',
      join(work, 'manifest.txt'),
      '-C',
      join(work, 'classes'),
      '.',
    ]);
    const libBytes = Number(sh('du', ['-sb', lib]).split('\t')[0]);

    const out = (n: string) => join(work, n);
    sh(process.execPath, [BIN, 'base', 'java21', '-q', '--output', out('java21')]);
    sh(process.execPath, [BIN, 'base', 'java21', '--slim', '-q', '--output', out('java21-slim')]);
    sh(process.execPath, [BIN, 'base', 'java-base', '-q', '--output', out('java-base')]);
    const t = performance.now();
    sh(process.execPath, [
      BIN,
      'build',
      app,
      '--jlink',
      '--no-lock',
      '-q',
      '--output',
      out('jlink'),
      '--archive',
      out('jlink.tar'),
      '--tag',
      'distill-bench/jlink-spring:1',
    ]);
    const jlinkS = (performance.now() - t) / 1000;
    sh(process.execPath, [BIN, 'build', app, '--no-lock', '-q', '--output', out('on-java21')]);

    sh('docker', ['load', '-q', '-i', out('jlink.tar')]);
    const port = 18000 + (process.pid % 1000);
    const name = `distill-bench-jlink-${process.pid}`;
    sh('docker', [
      'run',
      '-d',
      '--name',
      name,
      '--network',
      'host',
      '-e',
      `PORT=${port}`,
      'distill-bench/jlink-spring:1',
    ]);
    let answer = '';
    try {
      for (let i = 0; i < 60 && !answer; i++) {
        await new Promise((r) => setTimeout(r, 500));
        answer = await fetch(`http://127.0.0.1:${port}/hi`).then(
          (r) => r.text(),
          () => '',
        );
      }
    } finally {
      spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
      spawnSync('docker', ['rmi', '-f', 'distill-bench/jlink-spring:1'], { stdio: 'ignore' });
    }
    if (!answer.includes('"hello":"/hi"')) throw new Error(`the jlinked app did not answer: ${answer}`);

    const [j21, j21s, jb, jl, onJ21] = (await Promise.all(
      ['java21', 'java21-slim', 'java-base', 'jlink', 'on-java21'].map((n) => imageBytes(out(n))),
    )) as [number, number, number, number, number];
    const ratio = jl / onJ21;
    console.log(`app: ${names.length} Debian library jars, ${mb(libBytes)}; answered ${answer.trim()}`);
    console.log(`java21 ${mb(j21)}, java21 --slim ${mb(j21s)}, java-base ${mb(jb)} (gzip, amd64, debian13)`);
    console.log(
      `java21 + app ${mb(onJ21)}; --jlink ${mb(jl)} (${(100 * ratio).toFixed(1)}%, goal ≤ ${GOAL * 100}%); --jlink build ${jlinkS.toFixed(1)} s`,
    );
    if (ratio > GOAL) console.log(`GOAL MISSED: ${(100 * ratio).toFixed(1)}% > ${GOAL * 100}%`);
  } finally {
    // JLINK_BENCH_KEEP=1 keeps the app and the layouts for a look.
    if (process.env.JLINK_BENCH_KEEP) console.log(`kept ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
}

await main();
