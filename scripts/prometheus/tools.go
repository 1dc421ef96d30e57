//go:build tools

// Prometheus for the cluster's image (scripts/images): github.com/prometheus/prometheus cannot be
// `go install`ed (replace directives for klog), so this module requires it and repeats them
// (go.mod). Debian's Prometheus 2.42 rejects the chart's kubernetes_sd_configs; v2.55.1 is the
// version the chart pins (module version v0.55.1). scripts/go-tools builds cmd/prometheus from here.

package tools

import (
	_ "github.com/prometheus/prometheus/cmd/prometheus"
)
