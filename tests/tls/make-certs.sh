#!/bin/sh
# SPDX-License-Identifier: MIT
# How the test certificates here were made (run it to remake them; the
# tests use the committed files, so no tool is needed at test time):
#   selfsigned.*  CN=cfconform-test, self-signed (watch --insecure tests)
#   ca.*          a test certificate authority, trusted by a test through
#                 SSL_CERT_FILE=ca.crt
#   localhost.*   signed by ca, valid for the host name "localhost" only
#                 (not 127.0.0.1): the host name check tests
# Valid for 100 years. Never trust any of these outside the tests.
set -eu
cd "$(dirname "$0")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
  -subj /CN=cfconform-test-ca -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign -keyout ca.key -out ca.crt
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
  -keyout localhost.key -out localhost.csr
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
  > localhost.ext
openssl x509 -req -in localhost.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 36500 \
  -extfile localhost.ext -out localhost.crt
rm -f localhost.csr localhost.ext ca.srl
