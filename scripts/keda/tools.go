//go:build tools

// KEDA's operator and metrics API server, built from the Go module proxy: github.com/kedacore/keda/v2
// cannot be `go install`ed (replace directives), so this module requires it and copies its replace
// block (go.mod). scripts/go-tools builds each `cmd/…` below from here for scripts/cluster-addons.

package tools

import (
	_ "github.com/kedacore/keda/v2/cmd/adapter"
	_ "github.com/kedacore/keda/v2/cmd/operator"
)
