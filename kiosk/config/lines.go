package config

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// fieldLines maps each field path written in the file to the line of its
// key ("policy.schedule[0].days" → 12), so a problem Validate finds in a
// value can name the line IT staff must edit, as decoding problems do.
func fieldLines(root *yaml.Node) map[string]int {
	out := make(map[string]int)
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := n.Content[i].Value
				if path != "" {
					p = path + "." + p
				}
				if _, ok := out[p]; !ok {
					out[p] = n.Content[i].Line
				}
				walk(n.Content[i+1], p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := path + "[" + strconv.Itoa(i) + "]"
				out[p] = c.Line
				walk(c, p)
			}
		}
	}
	walk(root, "")
	return out
}

// lineOf returns the line of field, or of its nearest ancestor written in
// the file (a required field left out is reported at its section), or 0.
func lineOf(lines map[string]int, field string) int {
	for field != "" {
		if l, ok := lines[field]; ok {
			return l
		}
		i := strings.LastIndexAny(field, ".[")
		if i < 0 {
			return 0
		}
		field = field[:i]
	}
	return 0
}
