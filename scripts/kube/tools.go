//go:build tools

// The Kubernetes binaries, built from the Go module proxy: k8s.io/kubernetes cannot be
// `go install`ed (replace directives), so this module requires it and pins every staging module to
// its published release (see go.mod). scripts/go-tools builds each `cmd/…` below from here: the
// API server the Lease tests use, and the node, control plane and kubectl of scripts/cluster.

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
