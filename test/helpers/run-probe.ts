/**
 * A static C probe for `distill run` tests: shell-less images have nothing to look around with, so
 * the probe is bind-mounted in (--volume DIR:/probe:ro) and run as `--entrypoint /probe/probe`. It
 * prints what the container's profile lets it do as key=value lines, then exits with argv[1]
 * (default 0). Compiled once per test run with gcc -static.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './tools.ts';

const PROBE_C = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

static void status_line(const char *key) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  size_t n = strlen(key);
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, key, n) == 0 && line[n] == ':') {
      char *v = line + n + 1;
      while (*v == ' ' || *v == '\t') v++;
      v[strcspn(v, "\n")] = 0;
      printf("%s=%s\n", key, v);
    }
  if (f) fclose(f);
}

static const char *err(int rc) { return rc >= 0 ? "ok" : strerrorname_np(errno); }

int main(int argc, char **argv) {
  printf("uid=%d\ngid=%d\n", getuid(), getgid());
  int fd = open("/probe-root-write", O_WRONLY | O_CREAT, 0644);
  printf("write_root=%s\n", fd >= 0 ? "ok" : strerrorname_np(errno));
  fd = open("/tmp/probe-tmp-write", O_WRONLY | O_CREAT, 0644);
  printf("write_tmp=%s\n", fd >= 0 && write(fd, "x", 1) == 1 ? "ok" : strerrorname_np(errno));
  status_line("CapEff");
  status_line("CapBnd");
  status_line("NoNewPrivs");
  status_line("Seccomp");
  // Keyrings first, then what needs privilege, then a user namespace (which would grant it).
  printf("keyctl=%s\n", err((int)syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0)));
  printf("add_key=%s\n", err((int)syscall(SYS_add_key, "user", "probe", "x", 1, -3)));
  printf("mount=%s\n", err(mount("none", "/tmp", "tmpfs", 0, NULL)));
  printf("unshare_ns=%s\n", err(unshare(CLONE_NEWNS)));
  printf("unshare_user=%s\n", err(unshare(CLONE_NEWUSER)));
  // Masked paths are /dev/null (char 1:3) inside; the host's are regular proc files.
  struct stat st;
  printf("timer_list=%s\n", stat("/proc/timer_list", &st) != 0 ? strerrorname_np(errno)
                             : S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) ? "masked" : "visible");
  printf("proc_keys=%s\n", stat("/proc/keys", &st) != 0 ? strerrorname_np(errno)
                            : S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) ? "masked" : "visible");
  fd = open("/proc/sys/kernel/hostname", O_WRONLY);
  printf("write_proc_sys=%s\n", fd >= 0 ? "ok" : strerrorname_np(errno));
  FILE *net = fopen("/proc/net/dev", "r");
  int ifaces = 0;
  char line[512];
  while (net && fgets(line, sizeof line, net)) if (strchr(line, ':')) ifaces++;
  printf("net_ifaces=%d\n", ifaces);
  for (int i = 2; i < argc; i++) {
    const char *v = getenv(argv[i]);
    printf("env_%s=%s\n", argv[i], v ? v : "(unset)");
  }
  printf("tty=%d\n", isatty(1));
  char cwd[512];
  printf("cwd=%s\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
  fflush(stdout);
  return argc > 1 ? atoi(argv[1]) : 0;
}
`;

/** Compiles the probe into `dir` (world-readable, for nonroot containers); returns `dir`. */
export function buildRunProbe(dir: string): string {
  writeFileSync(join(dir, 'probe.c'), PROBE_C);
  runOk('gcc', ['-static', '-O2', '-o', join(dir, 'probe'), join(dir, 'probe.c')]);
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'probe'), 0o755);
  return dir;
}

/** key=value lines → a record. */
export function parseProbe(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}
