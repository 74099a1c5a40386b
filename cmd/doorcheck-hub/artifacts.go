package main

import (
	"flag"

	"github.com/doorcheck/doorcheck/sync/hub"
)

// addArtifactsFlag adds --artifacts, the snapshot files' root, to the
// commands that write or serve them (import, serve).
func addArtifactsFlag(fs *flag.FlagSet) *string {
	return fs.String("artifacts", "", "snapshot files `directory`: the signed index and the immutable snapshot and delta files, under v1/ as served (default DATA/public). Hub instances on one --db share one (a shared file system), which a static server may serve too")
}

// artifactsOf returns the artifacts root a command uses.
func artifactsOf(flagValue string, d hub.DataDir) hub.Artifacts {
	if flagValue == "" {
		return d.Artifacts()
	}
	return hub.Artifacts(flagValue)
}
