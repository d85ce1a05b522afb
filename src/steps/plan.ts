/** The host procedure of `init`, in order (after the local key check, the connection and the probe), as the Kafka mode makes it. */
import type { KafkaMode } from '../kafka/mode.js';
import { configStep } from './config.js';
import { daemonStep, jpsStep } from './daemons.js';
import { dataStep } from './data.js';
import { downloadStep } from './download.js';
import { extractStep } from './extract.js';
import { formatStep } from './format.js';
import { heapStep } from './heap.js';
import { javaStep } from './java.js';
import type { Step } from './types.js';
import { unitsStep } from './units.js';
import { voterStep } from './voter.js';

/** `clustered`: a cluster's member, whose quorum membership the mode may have to make (voterStep). */
export function initSteps(mode: KafkaMode, clustered = false): readonly Step[] {
  return [
    javaStep,
    downloadStep,
    extractStep,
    heapStep,
    dataStep,
    { ...configStep, title: `Configure ${mode.what}` },
    ...(mode.formatsStorage ? [formatStep] : []),
    unitsStep,
    ...mode.daemons.map(daemonStep),
    ...(clustered && mode.dynamicVoters ? [voterStep] : []),
    jpsStep,
  ];
}
