#!/bin/bash
# Creates a private CA, the OpenSearch node certificate and the admin client certificate on
# first start. Replace them with certificates from your own PKI for production
# (docs/install-compose.md). Keys are PKCS#8, as the security plugin requires.
set -euo pipefail
public="${CERTS_DIR:-/certs}/public"
private="${CERTS_DIR:-/certs}/private"
mkdir -p "$public" "$private"
if [ -f "$public/ca.pem" ]; then
  echo "certificates exist; nothing to do"
  exit 0
fi
cd "$private"
days="${CERT_DAYS:-825}"
openssl genrsa -out ca-key.pem 3072
openssl req -new -x509 -sha256 -days "$days" -key ca-key.pem -subj "/O=auditlog/CN=auditlog-ca" -out ca.pem
issue() {
  local name="$1" ext="${2:-}"
  openssl genrsa -out "$name-rsa.pem" 3072
  openssl pkcs8 -topk8 -nocrypt -in "$name-rsa.pem" -out "$name-key.pem"
  rm "$name-rsa.pem"
  openssl req -new -key "$name-key.pem" -subj "/O=auditlog/CN=$name" -out "$name.csr"
  if [ -n "$ext" ]; then printf '%s\n' "$ext" > "$name.ext"; set -- -extfile "$name.ext"; else set --; fi
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -sha256 -days "$days" "$@" -out "$name.pem"
  rm -f "$name.csr" "$name.ext"
}
issue node "subjectAltName=DNS:opensearch,DNS:localhost,IP:127.0.0.1"
issue admin
rm ca-key.pem ca.srl
# OpenSearch runs as uid 1000, the appliance as uid 10001: both read, nobody else writes.
chown -R 1000:1000 "$private" 2>/dev/null || echo "warning: could not hand $private to uid 1000" >&2
chmod 0750 "$private"
chmod 0440 "$private"/*.pem
chmod 0444 ca.pem
cp ca.pem "$public/ca.pem"
echo "certificates created"
