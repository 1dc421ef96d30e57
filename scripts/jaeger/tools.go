//go:build tools

// Jaeger all-in-one for the cluster's image (scripts/images): github.com/jaegertracing/jaeger cannot
// be `go install`ed (a replace directive pins sarama), so this module requires it and repeats the
// pin (go.mod). scripts/go-tools builds cmd/all-in-one from here.

package tools

import (
	_ "github.com/jaegertracing/jaeger/cmd/all-in-one"
)
