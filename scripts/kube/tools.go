//go:build tools

// The Kubernetes API server the tests run leader election (Lease) against, built from the Go
// module proxy: k8s.io/kubernetes cannot be `go install`ed (replace directives), so this module
// requires it and pins every staging module to its published release (see go.mod).

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
