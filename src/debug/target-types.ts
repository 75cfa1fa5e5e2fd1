/** What `distill debug` needs of a running container, wherever it was started. */
export interface DebugTarget {
  /** `run`: started by `distill run` (runc); `docker`: a Docker engine container. */
  kind: 'run' | 'docker';
  id: string;
  /** How messages name it. */
  name: string;
  /** The container's init process as the host sees it; its namespaces are joined. */
  pid: number;
  /** The user the target runs as: the debug shell's too, unless --root. */
  uid: number;
  gid: number;
  /** Config.User as the image or engine gave it (docker targets). */
  user?: string;
}
