// Throwaway X.509 certificates for the local Kafka broker and for TLS tests: a CA, and
// server or client certificates it signs, with any validity window (expired ones too).
// Keys are ECDSA P-256 in unencrypted PKCS#8 PEM, which Node and Kafka's PEM key store read.
import 'reflect-metadata'; // required by @peculiar/x509 (tsyringe)
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as Parameters<typeof x509.cryptoProvider.set>[1]);

type KeyPair = webcrypto.CryptoKeyPair;

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const day = 24 * 60 * 60 * 1000;

/** A certificate and its private key, both PEM. */
export interface PemPair {
  cert: string;
  key: string;
}

export interface IssueOptions {
  /** Subject common name. */
  commonName: string;
  /** DNS names and IP addresses put in subjectAltName (server certificates). */
  hosts?: string[];
  /** `server` adds serverAuth, `client` adds clientAuth. Default `server`. */
  usage?: 'server' | 'client';
  /** Default: one hour ago. */
  notBefore?: Date;
  /** Default: 30 days from now. */
  notAfter?: Date;
}

export interface CertificateAuthority extends PemPair {
  /** Issues a certificate signed by this CA. */
  issue(options: IssueOptions): Promise<PemPair>;
}

function serialNumber(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

async function privateKeyPem(keys: KeyPair): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

function generateKeys(): Promise<KeyPair> {
  return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
}

/** Creates a self-signed certificate authority valid for 30 days. */
export async function createCertificateAuthority(commonName = 'sitewatch test CA'): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - 60 * 60 * 1000),
    notAfter: new Date(Date.now() + 30 * day),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });

  async function issue(options: IssueOptions): Promise<PemPair> {
    const leafKeys = await generateKeys();
    const hosts = options.hosts ?? [];
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: `CN=${options.commonName}`,
      issuer: caCert.subject,
      notBefore: options.notBefore ?? new Date(Date.now() - 60 * 60 * 1000),
      notAfter: options.notAfter ?? new Date(Date.now() + 30 * day),
      publicKey: leafKeys.publicKey,
      signingKey: keys.privateKey,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
        new x509.ExtendedKeyUsageExtension([
          options.usage === 'client' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth,
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(caCert),
        ...(hosts.length > 0
          ? [new x509.SubjectAlternativeNameExtension(hosts.map((h) => ({ type: isIP(h) ? 'ip' : 'dns', value: h })))]
          : []),
      ],
    });
    return { cert: `${cert.toString('pem')}\n`, key: await privateKeyPem(leafKeys) };
  }

  return { cert: `${caCert.toString('pem')}\n`, key: await privateKeyPem(keys), issue };
}
