/** What a run may change on the host: file contents and mtimes, and which JVMs run. */
import { type E2eHost, runAsUser } from './host.js';

export interface HostSnapshot {
  files: string;
  jvms: string;
}

export async function snapshot(host: E2eHost, installDir: string): Promise<HostSnapshot> {
  const files = await runAsUser(
    host,
    `cd ~ && for f in .bashrc .bashrc.kafka-setup.bak ${installDir}/config/server.properties ${installDir}/config/server.properties.kafka-setup.bak ${installDir}/config/zookeeper.properties ${installDir}/config/zookeeper.properties.kafka-setup.bak; do printf '%s %s %s\\n' "$f" "$(stat -c %Y.%s "$f" 2>/dev/null)" "$(sha256sum < "$f" 2>/dev/null | cut -c1-16)"; done; ls -la --time-style=+%s ~ ${installDir}`,
  );
  return { files: files.stdout, jvms: await jvmList(host) };
}

/** `pid main-class` of the user's JVMs, as jps -l shows them. */
export async function jvmList(host: E2eHost): Promise<string> {
  const r = await runAsUser(host, 'jps -l | grep -v sun.tools.jps | sort');
  return r.stdout.trim();
}
