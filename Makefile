# doorcheck: `make package` builds the appliance .deb files (amd64, arm64,
# armhf) into dist/; `make package VERSION=0.9.0 ARCHES=armhf` for one.
# Everything else is plain go: go build ./..., go test ./..., .ci/run.
VERSION ?= 0.0.0-dev
ARCHES ?= amd64 arm64 armhf

.PHONY: package
package:
	sh packaging/package.sh $(VERSION) $(ARCHES)
