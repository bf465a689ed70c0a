#!/usr/bin/env bash
# Prints the Secret `entrasim-ca` holding a new local CA (ca.pem, ca-key.pem), made by `entrasim ca`,
# for every replica to sign its server certificate with:
#   bash deploy/kubernetes/make-ca-secret.sh [path/to/entrasim] | kubectl apply -f -
# Clients then trust one CA whichever replica answers (kubectl get secret entrasim-ca -o
# jsonpath='{.data.ca\.pem}' | base64 -d > entrasim-ca.pem). The key never leaves the cluster's Secret.
set -euo pipefail
BIN="${1:-entrasim}"
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
"$BIN" ca --data-dir "$DIR" > /dev/null
cat <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: entrasim-ca
  labels:
    app.kubernetes.io/name: entrasim
type: Opaque
data:
  ca.pem: $(base64 -w0 < "$DIR/ca.pem")
  ca-key.pem: $(base64 -w0 < "$DIR/ca-key.pem")
YAML
