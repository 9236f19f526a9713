import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A passkey made in software, for tests over HTTP: it answers WebAuthn's create() and get() as an
 * authenticator with user verification would (attestation "none", ES256), so that the server's
 * checks run on real signatures. `counter` is the signature counter it reports next.
 */
export type SoftPasskey = { id: Buffer; privateKey: KeyObject; cose: Buffer; counter: number; userHandle?: string };

type CborValue = number | string | Buffer | CborValue[] | Map<number | string, CborValue>;

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 256) return Buffer.from([(major << 5) | 24, length]);
  const b = Buffer.alloc(3);
  b[0] = (major << 5) | 25;
  b.writeUInt16BE(length, 1);
  return b;
}

/** Just the CBOR that WebAuthn needs: small integers, text, bytes, arrays and maps. */
function cbor(value: CborValue): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  const parts = [...value].flatMap(([k, v]) => [cbor(k), cbor(v)]);
  return Buffer.concat([head(5, value.size), ...parts]);
}

const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();
const counterBytes = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

export function newSoftPasskey(): SoftPasskey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const cose = cbor(
    new Map<number, CborValue>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
  return { id: randomBytes(16), privateKey, cose, counter: 0 };
}

type Where = { challenge: string; origin: string; rpId: string };

const clientData = (type: string, { challenge, origin }: Where) =>
  Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));

/** The answer of navigator.credentials.create(), as @simplewebauthn/browser sends it. */
export function createResponse(key: SoftPasskey, where: Where, flags = 0x45) {
  const authData = Buffer.concat([
    sha256(where.rpId),
    Buffer.from([flags]),
    counterBytes(key.counter),
    Buffer.alloc(16),
    Buffer.from([key.id.length >> 8, key.id.length & 0xff]),
    key.id,
    key.cose,
  ]);
  const attestation = cbor(
    new Map<string, CborValue>([
      ['fmt', 'none'],
      ['attStmt', new Map()],
      ['authData', authData],
    ]),
  );
  return {
    id: b64u(key.id),
    rawId: b64u(key.id),
    type: 'public-key',
    response: {
      clientDataJSON: b64u(clientData('webauthn.create', where)),
      attestationObject: b64u(attestation),
      transports: ['internal'],
    },
    clientExtensionResults: {},
    authenticatorAttachment: 'platform',
  };
}

/** The answer of navigator.credentials.get(): signed with the passkey's key, its counter moved on first (when it keeps one). */
export function getResponse(key: SoftPasskey, where: Where, flags = 0x05) {
  if (key.counter > 0) key.counter += 1;
  const authData = Buffer.concat([sha256(where.rpId), Buffer.from([flags]), counterBytes(key.counter)]);
  const data = clientData('webauthn.get', where);
  const signature = sign('sha256', Buffer.concat([authData, sha256(data)]), key.privateKey);
  return {
    id: b64u(key.id),
    rawId: b64u(key.id),
    type: 'public-key',
    response: {
      clientDataJSON: b64u(data),
      authenticatorData: b64u(authData),
      signature: b64u(signature),
      ...(key.userHandle ? { userHandle: key.userHandle } : {}),
    },
    clientExtensionResults: {},
  };
}
