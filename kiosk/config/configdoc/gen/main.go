// Command gen writes configs/README.md from the kiosk config types (see
// package configdoc); run by go generate ./kiosk/config/....
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/doorcheck/doorcheck/kiosk/config/configdoc"
)

func main() {
	src := flag.String("src", "..", "the kiosk/config package `directory`")
	out := flag.String("out", "../../../configs/README.md", "the README to write")
	flag.Parse()
	b, err := configdoc.Render(*src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
}
