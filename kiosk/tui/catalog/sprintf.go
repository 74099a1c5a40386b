package catalog

import "fmt"

// sprintf is fmt.Sprintf; one name so the catalogue formats in one place.
func sprintf(f string, args ...any) string { return fmt.Sprintf(f, args...) }
