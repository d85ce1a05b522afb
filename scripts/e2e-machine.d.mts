/** Types of scripts/e2e-machine.mjs (a plain Node script, so that .ci/run can run it before anything is built). */
export declare const E2E_NEEDS: ReadonlyArray<readonly [pkg: string, command: string, why: string]>;
export declare const E2E_PACKAGES: string[];
export declare function missingPackages(): string[];
export declare function cannotRun(): string | undefined;
export declare function installCommand(packages: readonly string[]): string;
