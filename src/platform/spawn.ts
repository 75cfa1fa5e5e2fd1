/**
 * Starting a program, as an injected effect: tests pass a fake (or a counting wrapper) where the
 * code would call node's spawn. One type for every module that runs tools (xz, python3, go).
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

export type SpawnFn = (command: string, args: readonly string[], options?: SpawnOptions) => ChildProcess;

/** node's spawn as a SpawnFn (its overloads are not assignable to one signature). */
export const spawnProcess: SpawnFn = (command, args, options = {}) => spawn(command, args, options);
