//go:build tools

// Traefik v3 (v3.6.12), the Ingress controller of the local cluster, built from the Go module proxy:
// github.com/traefik/traefik/v3 cannot be `go install`ed (replace directives), so this module requires
// it and copies its replace directives (go.mod). scripts/go-tools builds cmd/traefik from here for
// scripts/cluster-addons.

package tools

import (
	_ "github.com/traefik/traefik/v3/cmd/traefik"
)
