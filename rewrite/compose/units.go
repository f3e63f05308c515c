package compose

import (
	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/yamledit"
)

// ServiceKeys returns the byte offset of every service key of a compose
// file, in file order, across all its documents. A service's edits and
// findings lie between its key and the next one: editors use these offsets
// to offer the fix of one service on its own.
func ServiceKeys(src []byte) ([]int, error) {
	s, err := parse(src)
	if err != nil {
		return nil, err
	}
	var keys []int
	for _, d := range s.Docs {
		_, services := lookup(yamledit.DocRoot(d), "services")
		if services == nil || services.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(services.Content); i += 2 {
			keys = append(keys, s.Start(services.Content[i]))
		}
	}
	return keys, nil
}
