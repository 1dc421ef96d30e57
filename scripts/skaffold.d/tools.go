//go:build tools

// skaffold v2, built from the Go module proxy: github.com/GoogleContainerTools/skaffold/v2 cannot be
// `go install`ed (replace directives), so this module requires it and copies its replace directives
// (go.mod). scripts/go-tools builds cmd/skaffold from here: the developer loop (skaffold.yaml).

package tools

import (
	_ "github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold"
)
