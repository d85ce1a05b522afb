/** The options of `kafka-setup stop | start | restart`: those of every host command. */
import { type HostCommandFlags, hostCommandDeclarations } from './host-command-options.js';

export type ControlAction = 'stop' | 'start' | 'restart';
export const controlDeclarations = hostCommandDeclarations;
export type ControlFlags = HostCommandFlags;
