/**
 * A TCP proxy in front of an SSH server that interferes with the server's KEX reply, the packet that
 * carries the host key and the server's signature over the exchange hash. Before the first NEWKEYS
 * the transport is plain (RFC 4253, 6: uint32 packet_length, byte padding_length, payload, padding,
 * no MAC), so the reply can be found and changed byte for byte:
 * - 'corrupt-signature': the last byte of the signature flipped — a server that presents the host
 *   key without holding its private half;
 * - 'drop-after-reply': the reply passed on, then the connection dropped — before the client could
 *   check the signature (that happens when the server's NEWKEYS arrives).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export type KexTamper = 'corrupt-signature' | 'drop-after-reply';

/** SSH_MSG_KEXDH_REPLY / SSH_MSG_KEX_ECDH_REPLY (the same number, RFC 4253 and RFC 5656). */
const KEX_REPLY = 31;

export interface TamperProxy {
  port: number;
  /** How many KEX replies went through it (tampered with). */
  replies: number;
  close(): void;
}

export function kexTamperProxy(targetPort: number, tamper: KexTamper): Promise<TamperProxy> {
  const sockets = new Set<Socket>();
  const proxy: TamperProxy = { port: 0, replies: 0, close: () => {} };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    let pending = Buffer.alloc(0);
    let identDone = false;
    let passThrough = false;
    upstream.on('data', (chunk: Buffer) => {
      if (passThrough) return void client.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      if (!identDone) {
        // The identification string ends the first line starting "SSH-" (RFC 4253, 4.2).
        let end = -1;
        for (let from = 0; ; ) {
          const nl = pending.indexOf('\n', from);
          if (nl < 0) break;
          if (pending.subarray(from, from + 4).toString() === 'SSH-') {
            end = nl + 1;
            break;
          }
          from = nl + 1;
        }
        if (end < 0) return;
        client.write(pending.subarray(0, end));
        pending = pending.subarray(end);
        identDone = true;
      }
      while (pending.length >= 6) {
        const size = 4 + pending.readUInt32BE(0);
        if (pending.length < size) return;
        const packet = Buffer.from(pending.subarray(0, size));
        pending = pending.subarray(size);
        if (packet[5] !== KEX_REPLY) {
          client.write(packet);
          continue;
        }
        proxy.replies++;
        if (tamper === 'corrupt-signature') {
          // The signature is the payload's last field; the payload ends where the padding starts.
          const payloadEnd = size - packet[4]!;
          packet[payloadEnd - 1] = packet[payloadEnd - 1]! ^ 0xff;
          client.write(packet);
          // After the reply come NEWKEYS and encrypted packets: nothing more to look at.
          passThrough = true;
          if (pending.length > 0) client.write(pending);
          return;
        }
        client.end(packet, () => client.destroy());
        upstream.destroy();
        return;
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      proxy.port = (server.address() as { port: number }).port;
      proxy.close = () => {
        server.close();
        for (const s of sockets) s.destroy();
      };
      resolve(proxy);
    });
  });
}
