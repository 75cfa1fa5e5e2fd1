/** ELF e_machine values and the architecture names the rest of distill uses (OCI and Debian). */

export const EM_386 = 3;
export const EM_MIPS = 8;
export const EM_PPC = 20;
export const EM_PPC64 = 21;
export const EM_S390 = 22;
export const EM_ARM = 40;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const EM_RISCV = 243;
export const EM_LOONGARCH = 258;

/** ARM e_flags: EABI version mask and the float ABI bits glibc's ldconfig looks at. */
export const EF_ARM_EABIMASK = 0xff000000;
export const EF_ARM_EABI_VER5 = 0x05000000;
export const EF_ARM_ABI_FLOAT_SOFT = 0x200;
export const EF_ARM_ABI_FLOAT_HARD = 0x400;

/** What an ELF machine is called: readelf-ish name, OCI (GOARCH) name, Debian architecture. */
export interface MachineNames {
  /** Short kernel/uname-style name, e.g. `x86_64`, `aarch64`. */
  name: string;
  /** OCI platform architecture, e.g. `amd64`, `arm64`; undefined for machines images don't use. */
  arch?: string;
  /** Debian architecture, e.g. `amd64`, `arm64`, `armhf`, `ppc64el`, `i386`. */
  debianArch?: string;
}

/**
 * Names for a machine. The byte order and class matter for a few (ppc64 vs ppc64le; x32 is
 * x86_64 code in a 32-bit file), and ARM's float ABI tells armhf from armel.
 */
export function machineNames(
  machine: number,
  bits: 32 | 64,
  littleEndian: boolean,
  flags: number,
): MachineNames {
  switch (machine) {
    case EM_X86_64:
      return bits === 64
        ? { name: 'x86_64', arch: 'amd64', debianArch: 'amd64' }
        : { name: 'x86_64', debianArch: 'x32' };
    case EM_AARCH64:
      return { name: 'aarch64', arch: 'arm64', debianArch: 'arm64' };
    case EM_386:
      return { name: 'i386', arch: '386', debianArch: 'i386' };
    case EM_ARM: {
      const hard = (flags & EF_ARM_ABI_FLOAT_HARD) !== 0;
      return { name: 'arm', arch: 'arm', debianArch: hard ? 'armhf' : 'armel' };
    }
    case EM_RISCV:
      return bits === 64 ? { name: 'riscv64', arch: 'riscv64', debianArch: 'riscv64' } : { name: 'riscv32' };
    case EM_S390:
      return bits === 64 ? { name: 's390x', arch: 's390x', debianArch: 's390x' } : { name: 's390' };
    case EM_PPC64:
      return littleEndian
        ? { name: 'ppc64le', arch: 'ppc64le', debianArch: 'ppc64el' }
        : { name: 'ppc64', arch: 'ppc64', debianArch: 'ppc64' };
    case EM_PPC:
      return { name: 'ppc', debianArch: 'powerpc' };
    case EM_MIPS:
      return littleEndian
        ? {
            name: bits === 64 ? 'mips64el' : 'mipsel',
            arch: bits === 64 ? 'mips64le' : 'mipsle',
            debianArch: bits === 64 ? 'mips64el' : 'mipsel',
          }
        : { name: bits === 64 ? 'mips64' : 'mips', arch: bits === 64 ? 'mips64' : 'mips' };
    case EM_LOONGARCH:
      return bits === 64
        ? { name: 'loongarch64', arch: 'loong64', debianArch: 'loong64' }
        : { name: 'loongarch32' };
    default:
      return { name: `unknown(${machine})` };
  }
}

/** The OCI platform a binary runs on, e.g. `{ os: 'linux', architecture: 'arm', variant: 'v7' }`. */
export interface ElfPlatform {
  os: 'linux';
  architecture: string;
  variant?: string;
}

/**
 * The OCI platform for a binary's machine, to compare with an image's platform (a wrong-architecture
 * binary is an error). 32-bit ARM maps armhf to `v7` and armel to `v5`, Debian's baselines.
 * Undefined for machines no OCI platform names.
 */
export function elfPlatform(info: { arch?: string; debianArch?: string }): ElfPlatform | undefined {
  if (!info.arch) return undefined;
  if (info.arch === 'arm')
    return { os: 'linux', architecture: 'arm', variant: info.debianArch === 'armhf' ? 'v7' : 'v5' };
  return { os: 'linux', architecture: info.arch };
}
